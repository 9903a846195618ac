{#-
    Frequency, recency, tenure and mean repeat value per order customer, in CLV periods
    (FHL 2005 notation: x, t_x, T; Gamma-Gamma spend is the mean of the repeat transactions).
-#}
with

transaction_days as (

    select * from {{ ref('int_clv_transaction_days') }}

),

accounts as (

    select * from {{ ref('stg_crm__accounts') }}

),

as_of as (

    select {{ arvo_clv_as_of_date() }} as clv_as_of_date

),

per_customer as (

    select
        customer_id,
        count(*) - 1 as frequency,
        min(transaction_date) as first_transaction_date,
        max(transaction_date) as last_transaction_date,
        sum(case when transaction_number > 1 then revenue_eur end) as repeat_revenue_eur
    from transaction_days
    group by customer_id

),

final as (

    select
        per_customer.customer_id,
        coalesce(accounts.segment, 'unknown') as segment,
        cast(per_customer.frequency as integer) as frequency,
        {{ dbt.datediff('per_customer.first_transaction_date', 'per_customer.last_transaction_date', 'day') }}
            / {{ arvo_clv_period_days() }} as recency,
        {{ dbt.datediff('per_customer.first_transaction_date', 'as_of.clv_as_of_date', 'day') }}
            / {{ arvo_clv_period_days() }} as tenure,
        case
            when per_customer.frequency > 0
                then cast(per_customer.repeat_revenue_eur as {{ type_double() }}) / per_customer.frequency
        end as monetary_value,
        per_customer.first_transaction_date,
        per_customer.last_transaction_date,
        as_of.clv_as_of_date
    from per_customer
    cross join as_of
    left join accounts
        on per_customer.customer_id = accounts.account_id

)

select * from final
