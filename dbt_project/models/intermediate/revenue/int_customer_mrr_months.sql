{#- Customer x month with MRR: overlapping subscriptions of one customer add up. -#}
with

subscription_months as (

    select * from {{ ref('int_subscription_months') }}

),

final as (

    select
        customer_id,
        month,
        sum(mrr_eur) as mrr_eur,
        count(*) as active_subscriptions
    from subscription_months
    group by customer_id, month
    having sum(mrr_eur) > 0

)

select * from final
