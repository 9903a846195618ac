{#- Revenue facts per customer at the as-of date: first revenue, current MRR, lifecycle status.
    Revenue = a month with MRR (fct_mrr) or a paid invoice with positive revenue. A subscription has
    MRR up to its end date: whether that falls in the 12 months up to the as-of date decides
    `active` (an MRR month dated by its first day would drop a subscription that ran into the window
    from a month that began before it). -#}
with

mrr as (

    select * from {{ ref('fct_mrr') }}

),

invoices as (

    select * from {{ ref('int_invoices_converted') }}

),

subscriptions as (

    select * from {{ ref('stg_revenue__subscriptions') }}

),

as_of as (

    select
        {{ arvo_as_of_date() }} as as_of_date,
        {{ arvo_as_of_month() }} as as_of_month

),

-- the last day each subscription had MRR up to the as-of date (never before its first MRR month,
-- so the first revenue date still comes from fct_mrr)
subscription_last_days as (

    select
        subscriptions.account_id as customer_id,
        case
            when subscriptions.end_date is null or subscriptions.end_date > as_of.as_of_date
                then as_of.as_of_date
            else subscriptions.end_date
        end as revenue_date
    from subscriptions
    cross join as_of
    where subscriptions.mrr > 0
        and subscriptions.start_date <= as_of.as_of_date

),

revenue_events as (

    select
        customer_id,
        month as revenue_date
    from mrr
    where mrr_eur > 0

    union all

    select
        customer_id,
        revenue_date
    from subscription_last_days

    union all

    select
        customer_id,
        invoice_date as revenue_date
    from invoices
    where status = 'paid'
        and revenue_eur > 0

),

revenue_summary as (

    select
        revenue_events.customer_id,
        min(revenue_events.revenue_date) as first_revenue_date,
        max(
            case
                when revenue_events.revenue_date <= as_of.as_of_date
                    and revenue_events.revenue_date
                        > cast({{ dbt.dateadd('month', -12, 'as_of.as_of_date') }} as date)
                    then 1
                else 0
            end
        ) as has_recent_revenue
    from revenue_events
    cross join as_of
    where revenue_events.revenue_date <= as_of.as_of_date
    group by revenue_events.customer_id

),

current_mrr as (

    select
        mrr.customer_id,
        mrr.mrr_eur as current_mrr_eur
    from mrr
    inner join as_of
        on mrr.month = as_of.as_of_month

),

final as (

    select
        revenue_summary.customer_id,
        cast(revenue_summary.first_revenue_date as date) as first_revenue_date,
        cast({{ dbt.date_trunc('month', 'revenue_summary.first_revenue_date') }} as date) as cohort_month,
        cast(coalesce(current_mrr.current_mrr_eur, 0) as {{ type_double() }}) as current_mrr_eur,
        case when revenue_summary.has_recent_revenue = 1 then 'active' else 'churned' end as lifecycle_status
    from revenue_summary
    left join current_mrr
        on revenue_summary.customer_id = current_mrr.customer_id

)

select * from final
