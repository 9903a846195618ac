with

accounts as (

    select * from {{ ref('stg_crm__accounts') }}

),

final as (

    select
        account_id as customer_id,
        account_name as customer_name,
        segment,
        industry,
        country,
        created_at,
        cast(null as date) as first_revenue_date,
        cast(null as date) as cohort_month,
        cast(null as double) as current_mrr_eur,
        cast('never_paid' as {{ dbt.type_string() }}) as lifecycle_status
    from accounts

)

select * from final
