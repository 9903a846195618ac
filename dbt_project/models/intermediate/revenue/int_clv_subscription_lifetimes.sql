{#-
    One row per subscription customer for the contractual (shifted-beta-geometric) model: months from
    the first month with MRR to the last one (gaps included), whether the customer still has MRR in the
    as-of month (otherwise its lifetime is complete: it churned), and its current MRR. as_of_date is the
    date its data runs to, the as-of date of the sBG fit: `--var clv_as_of` when set (a calibration date:
    MRR months after it do not count, so a customer still paying later churned at it only if its MRR had
    stopped by then, and a customer whose first MRR comes later is not yet a subscription customer),
    else the as-of date of fct_mrr (macro arvo_contract_clv_as_of_date).
-#}
with

mrr as (

    select * from {{ ref('fct_mrr') }}

),

accounts as (

    select * from {{ ref('stg_crm__accounts') }}

),

as_of as (

    select
        {{ arvo_contract_clv_as_of_date() }} as as_of_date,
        {{ arvo_contract_clv_as_of_month() }} as as_of_month

),

mrr_to_date as (

    select mrr.*
    from mrr
    cross join as_of
    where mrr.month <= as_of.as_of_month

),

per_customer as (

    select
        customer_id,
        min(case when mrr_eur > 0 then month end) as cohort_month,
        max(case when mrr_eur > 0 then month end) as last_active_month,
        sum(mrr_eur) as mrr_revenue_eur
    from mrr_to_date
    group by customer_id
    having max(mrr_eur) > 0

),

final as (

    select
        per_customer.customer_id,
        coalesce(accounts.segment, 'unknown') as segment,
        per_customer.cohort_month,
        per_customer.last_active_month,
        cast({{ dbt.datediff('per_customer.cohort_month', 'per_customer.last_active_month', 'month') }} + 1
            as integer) as lifetime_months,
        per_customer.last_active_month = as_of.as_of_month as is_active,
        cast(coalesce(current_month.mrr_eur, 0) as decimal(18, 4)) as current_mrr_eur,
        cast(per_customer.mrr_revenue_eur as decimal(18, 4)) as mrr_revenue_eur,
        as_of.as_of_month,
        as_of.as_of_date
    from per_customer
    cross join as_of
    left join mrr as current_month
        on per_customer.customer_id = current_month.customer_id
        and current_month.month = as_of.as_of_month
    left join accounts
        on per_customer.customer_id = accounts.account_id

)

select * from final
