{#-
    Customer x reference month (from the first revenue month to the as-of month): did the customer
    stay, and did it grow, over the next 12 months (as known at the as-of date: later invoices do not
    count)? Both are null until 12 months have passed since
    the reference month at the as-of date (reference_month + 12 months <= as-of month).

    Subscription customers (any MRR): retained_12m = MRR > 0 in reference_month + 12;
    expanded_12m = MRR in reference_month + 12 above a non-zero MRR in the reference month.
    Transactional customers (orders only): retained_12m = a paid invoice (positive revenue) in the 12
    months after the reference month; expanded_12m = paid revenue in those 12 months above the paid
    revenue of the 12 months up to and including the reference month (which must be positive). Paid
    revenue is net of paid credit notes.
-#}
with

customer_months as (

    select * from {{ ref('int_customer_mrr_months') }}

),

invoices as (

    select * from {{ ref('int_invoices_converted') }}

),

months as (

    select * from {{ ref('int_revenue_months') }}

),

as_of as (

    select
        {{ arvo_as_of_date() }} as as_of_date,
        {{ arvo_as_of_month() }} as as_of_month

),

-- paid revenue is net: a paid credit note refunds revenue; only a paid invoice with positive revenue
-- is a purchase (retention, the first revenue month). Nothing after the as-of date counts, as for
-- subscriptions (int_subscription_months): a report pinned to a date does not change later.
paid_months as (

    select
        invoices.customer_id,
        cast({{ dbt.date_trunc('month', 'invoices.invoice_date') }} as date) as month,
        sum(invoices.revenue_eur) as paid_revenue_eur,
        sum(case when invoices.revenue_eur > 0 then 1 else 0 end) as paid_invoices
    from invoices
    cross join as_of
    where invoices.status = 'paid'
        and invoices.invoice_date <= as_of.as_of_date
    group by 1, 2

),

subscription_customers as (

    select distinct customer_id from customer_months

),

first_revenue as (

    select customer_id, min(month) as first_revenue_month
    from (
        select customer_id, month from customer_months
        union all
        select customer_id, month from paid_months where paid_invoices > 0
    ) as revenue_months
    group by customer_id

),

grid as (

    select
        first_revenue.customer_id,
        months.month as reference_month,
        case
            when subscription_customers.customer_id is not null then 'subscription'
            else 'transactional'
        end as customer_type,
        coalesce(customer_months.mrr_eur, 0) as mrr_eur,
        coalesce(paid_months.paid_revenue_eur, 0) as paid_revenue_eur,
        coalesce(paid_months.paid_invoices, 0) as paid_invoices
    from first_revenue
    inner join months
        on months.month >= first_revenue.first_revenue_month
    left join subscription_customers
        on first_revenue.customer_id = subscription_customers.customer_id
    left join customer_months
        on first_revenue.customer_id = customer_months.customer_id
        and months.month = customer_months.month
    left join paid_months
        on first_revenue.customer_id = paid_months.customer_id
        and months.month = paid_months.month

),

-- the grid is dense (one row per month), so row offsets are month offsets
windows as (

    select
        customer_id,
        reference_month,
        customer_type,
        mrr_eur,
        lead(mrr_eur, 12) over (partition by customer_id order by reference_month) as mrr_12m_later_eur,
        sum(paid_revenue_eur) over (
            partition by customer_id order by reference_month rows between 11 preceding and current row
        ) as paid_revenue_prev_12m_eur,
        coalesce(sum(paid_revenue_eur) over (
            partition by customer_id order by reference_month rows between 1 following and 12 following
        ), 0) as paid_revenue_next_12m_eur,
        coalesce(sum(paid_invoices) over (
            partition by customer_id order by reference_month rows between 1 following and 12 following
        ), 0) as paid_invoices_next_12m
    from grid

),

final as (

    select
        windows.customer_id,
        windows.reference_month,
        windows.customer_type,
        cast(windows.mrr_eur as decimal(18, 4)) as mrr_eur,
        case
            when windows.customer_type = 'subscription' then windows.mrr_eur > 0
            else windows.paid_revenue_prev_12m_eur > 0
        end as active_at_reference,
        cast({{ dbt.dateadd('month', 12, 'windows.reference_month') }} as date) <= as_of.as_of_month
            as outcome_known,
        case
            when cast({{ dbt.dateadd('month', 12, 'windows.reference_month') }} as date) > as_of.as_of_month
                then null
            when windows.customer_type = 'subscription' then windows.mrr_12m_later_eur > 0
            else windows.paid_invoices_next_12m > 0
        end as retained_12m,
        case
            when cast({{ dbt.dateadd('month', 12, 'windows.reference_month') }} as date) > as_of.as_of_month
                then null
            when windows.customer_type = 'subscription'
                then windows.mrr_eur > 0 and windows.mrr_12m_later_eur > windows.mrr_eur
            else windows.paid_revenue_prev_12m_eur > 0
                and windows.paid_revenue_next_12m_eur > windows.paid_revenue_prev_12m_eur
        end as expanded_12m,
        cast(windows.mrr_12m_later_eur as decimal(18, 4)) as mrr_12m_later_eur,
        cast(windows.paid_revenue_prev_12m_eur as decimal(18, 4)) as paid_revenue_prev_12m_eur,
        cast(windows.paid_revenue_next_12m_eur as decimal(18, 4)) as paid_revenue_next_12m_eur
    from windows
    cross join as_of

)

select * from final
