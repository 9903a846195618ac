{#-
    One row per subscription and month it is active in (a subscription is active in every month it
    overlaps), up to the as-of month, with its MRR converted at the latest rate on or before the
    subscription's start date (its booking rate). A contract's EUR value therefore moves only when the
    contract changes: exchange-rate swings do not show up as expansion or contraction.
-#}
with

subscriptions as (

    select * from {{ ref('stg_revenue__subscriptions') }}

),

months as (

    select * from {{ ref('int_revenue_months') }}

),

fx_rates as (

    select * from {{ ref('int_fx_rates') }}

),

as_of as (

    select {{ arvo_as_of_date() }} as as_of_date

),

active_months as (

    select
        subscriptions.subscription_id,
        subscriptions.account_id as customer_id,
        subscriptions.plan,
        subscriptions.currency,
        subscriptions.mrr,
        subscriptions.start_date,
        months.month
    from subscriptions
    cross join as_of
    inner join months
        on months.month_end >= subscriptions.start_date
        and (subscriptions.end_date is null or months.month <= subscriptions.end_date)
    where subscriptions.start_date <= as_of.as_of_date

),

final as (

    select
        active_months.subscription_id,
        active_months.customer_id,
        active_months.plan,
        active_months.month,
        active_months.currency,
        active_months.mrr,
        fx_rates.rate as fx_rate,
        {{ arvo_to_eur('active_months.mrr', 'fx_rates.rate') }} as mrr_eur
    from active_months
    {{ arvo_fx_join('fx_rates', 'active_months.currency', 'active_months.start_date') }}

)

select * from final
