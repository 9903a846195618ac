with

accounts as (

    select * from {{ ref('stg_crm__accounts') }}

),

revenue as (

    select * from {{ ref('int_customer_revenue_status') }}

),

final as (

    select
        accounts.account_id as customer_id,
        accounts.account_name as customer_name,
        accounts.segment,
        accounts.industry,
        accounts.country,
        accounts.created_at,
        revenue.first_revenue_date,
        revenue.cohort_month,
        cast(coalesce(revenue.current_mrr_eur, 0) as {{ type_double() }}) as current_mrr_eur,
        cast(coalesce(revenue.lifecycle_status, 'never_paid') as {{ dbt.type_string() }}) as lifecycle_status
    from accounts
    left join revenue
        on accounts.account_id = revenue.customer_id

)

select * from final
