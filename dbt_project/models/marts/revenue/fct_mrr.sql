{#-
    MRR movements per customer and month. Row rule (mart contract): a row for every month with MRR,
    one `churn` row (MRR 0) in the first month without MRR after an active month, nothing between a
    churn and a comeback. Churn and reactivation are decided before expansion and contraction: a
    comeback after a gap is `reactivation` (previous MRR 0), never an "expansion" from zero.
-#}
with

customer_months as (

    select * from {{ ref('int_customer_mrr_months') }}

),

as_of as (

    select {{ arvo_as_of_month() }} as as_of_month

),

first_months as (

    select
        customer_id,
        min(month) as first_month
    from customer_months
    group by customer_id

),

active_rows as (

    select
        current_month.customer_id,
        current_month.month,
        current_month.mrr_eur,
        coalesce(previous_month.mrr_eur, 0) as previous_mrr_eur,
        case
            when previous_month.customer_id is null and current_month.month = first_months.first_month
                then 'new'
            when previous_month.customer_id is null then 'reactivation'
            when current_month.mrr_eur > previous_month.mrr_eur then 'expansion'
            when current_month.mrr_eur < previous_month.mrr_eur then 'contraction'
            else 'unchanged'
        end as change_category
    from customer_months as current_month
    inner join first_months
        on current_month.customer_id = first_months.customer_id
    left join customer_months as previous_month
        on current_month.customer_id = previous_month.customer_id
        and previous_month.month = cast({{ dbt.dateadd('month', -1, 'current_month.month') }} as date)

),

churn_rows as (

    select
        last_month.customer_id,
        cast({{ dbt.dateadd('month', 1, 'last_month.month') }} as date) as month,
        cast(0 as decimal(18, 4)) as mrr_eur,
        last_month.mrr_eur as previous_mrr_eur,
        'churn' as change_category
    from customer_months as last_month
    cross join as_of
    left join customer_months as next_month
        on last_month.customer_id = next_month.customer_id
        and next_month.month = cast({{ dbt.dateadd('month', 1, 'last_month.month') }} as date)
    where next_month.customer_id is null
        and cast({{ dbt.dateadd('month', 1, 'last_month.month') }} as date) <= as_of.as_of_month

),

movements as (

    select * from active_rows
    union all
    select * from churn_rows

),

final as (

    select
        customer_id,
        month,
        cast(mrr_eur as decimal(18, 4)) as mrr_eur,
        cast(previous_mrr_eur as decimal(18, 4)) as previous_mrr_eur,
        cast(mrr_eur - previous_mrr_eur as decimal(18, 4)) as mrr_change_eur,
        change_category
    from movements

)

select * from final
