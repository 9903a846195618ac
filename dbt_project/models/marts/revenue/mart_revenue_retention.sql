{#-
    Cohort retention of subscription revenue. A customer's cohort is its first month with MRR; for
    every month since then up to the as-of month: how many of the cohort's customers have MRR (logo
    retention), how much of the starting MRR is kept without counting growth (gross revenue retention,
    each customer capped at its starting MRR, so never above 100%) and with growth (net revenue
    retention). Ratios are fractions (1.0 = 100%). Per segment and for `all`.
-#}
with

mrr as (

    select * from {{ ref('fct_mrr') }}

),

accounts as (

    select * from {{ ref('stg_crm__accounts') }}

),

months as (

    select * from {{ ref('int_revenue_months') }}

),

active_months as (

    select customer_id, month, mrr_eur
    from mrr
    where mrr_eur > 0

),

cohorts as (

    select
        customer_id,
        min(month) as cohort_month
    from active_months
    group by customer_id

),

starts as (

    select
        cohorts.customer_id,
        cohorts.cohort_month,
        coalesce(accounts.segment, 'unknown') as segment,
        active_months.mrr_eur as starting_mrr_eur
    from cohorts
    inner join active_months
        on cohorts.customer_id = active_months.customer_id
        and cohorts.cohort_month = active_months.month
    left join accounts
        on cohorts.customer_id = accounts.account_id

),

customer_periods as (

    select
        starts.customer_id,
        starts.cohort_month,
        starts.segment,
        {{ dbt.datediff('starts.cohort_month', 'months.month', 'month') }} as months_since_start,
        starts.starting_mrr_eur,
        coalesce(active_months.mrr_eur, 0) as mrr_eur
    from starts
    inner join months
        on months.month >= starts.cohort_month
    left join active_months
        on starts.customer_id = active_months.customer_id
        and months.month = active_months.month

),

segment_rows as (

    select cohort_month, segment, months_since_start, customer_id, starting_mrr_eur, mrr_eur
    from customer_periods
    union all
    select cohort_month, 'all' as segment, months_since_start, customer_id, starting_mrr_eur, mrr_eur
    from customer_periods

),

aggregated as (

    select
        cohort_month,
        segment,
        months_since_start,
        count(*) as customers_start,
        sum(case when mrr_eur > 0 then 1 else 0 end) as customers_retained,
        sum(starting_mrr_eur) as starting_mrr_eur,
        sum(mrr_eur) as retained_mrr_eur,
        sum(case when mrr_eur < starting_mrr_eur then mrr_eur else starting_mrr_eur end)
            as gross_retained_mrr_eur
    from segment_rows
    group by cohort_month, segment, months_since_start

),

final as (

    select
        cohort_month,
        segment,
        cast(months_since_start as integer) as months_since_start,
        cast(customers_start as bigint) as customers_start,
        cast(customers_retained as bigint) as customers_retained,
        cast(customers_retained as {{ type_double() }}) / nullif(customers_start, 0) as logo_retention,
        cast(starting_mrr_eur as decimal(18, 4)) as starting_mrr_eur,
        cast(retained_mrr_eur as decimal(18, 4)) as retained_mrr_eur,
        cast(gross_retained_mrr_eur as {{ type_double() }}) / nullif(starting_mrr_eur, 0) as gross_revenue_retention,
        cast(retained_mrr_eur as {{ type_double() }}) / nullif(starting_mrr_eur, 0) as net_revenue_retention,
        cast(gross_retained_mrr_eur as decimal(18, 4)) as gross_retained_mrr_eur
    from aggregated

)

select * from final
