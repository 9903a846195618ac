{#-
    Frequency, recency, tenure and mean repeat value per order customer, in CLV periods
    (FHL 2005 notation: x, t_x, T; Gamma-Gamma spend is the mean of the repeat transactions).

    A transaction is a customer's day with a non-void invoice that is not a credit note, up to the CLV
    as-of date (several invoices on one day count as one; a zero amount still counts), valued at the
    day's net non-void revenue in EUR. Customers with any MRR up to the as-of month of the contractual
    model (int_clv_subscription_lifetimes: `clv_as_of` when set) are subscription customers and left
    out, so that at a calibration date every customer is in one model or the other.
    The transaction days are a CTE, not a table of their own: only this model reads them, and writing
    them (17M rows at the large scale) cost more than computing them here.
-#}
with

invoices as (

    select * from {{ ref('int_invoices_converted') }}

),

customer_months as (

    select * from {{ ref('int_customer_mrr_months') }}

),

accounts as (

    select * from {{ ref('stg_crm__accounts') }}

),

as_of as (

    select
        {{ arvo_clv_as_of_date() }} as clv_as_of_date,
        {{ arvo_contract_clv_as_of_month() }} as contract_as_of_month

),

subscription_customers as (

    select distinct customer_months.customer_id
    from customer_months
    cross join as_of
    where customer_months.month <= as_of.contract_as_of_month

),

order_invoices as (

    select invoices.*
    from invoices
    cross join as_of
    left join subscription_customers
        on invoices.customer_id = subscription_customers.customer_id
    where subscription_customers.customer_id is null
        and not invoices.is_void
        and invoices.invoice_date <= as_of.clv_as_of_date

),

days as (

    select
        customer_id,
        invoice_date as transaction_date,
        sum(revenue_eur) as revenue_eur,
        sum(case when amount >= 0 then 1 else 0 end) as sale_invoices
    from order_invoices
    group by customer_id, invoice_date

),

transaction_days as (

    select
        customer_id,
        transaction_date,
        cast(revenue_eur as decimal(18, 4)) as revenue_eur
    from days
    where sale_invoices > 0

),

-- one row per customer and day, so the first day is unique and its revenue is the first transaction's
per_customer as (

    select
        customer_id,
        count(*) - 1 as frequency,
        min(transaction_date) as first_transaction_date,
        max(transaction_date) as last_transaction_date,
        case
            when count(*) > 1
                then sum(revenue_eur) - {{ arvo_value_at_min('revenue_eur', 'transaction_date') }}
        end as repeat_revenue_eur
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
