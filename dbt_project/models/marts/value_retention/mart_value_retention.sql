{#-
    The link from perceived value to money, per segment x dimension (nps_category, ladder_position,
    value_index_band) x band.

    Outcomes (retention_rate_12m, net_revenue_retention_12m) are measured on each customer's latest
    survey response whose 12-month outcome is known at the as-of date, for customers with revenue at
    that time (active_at_reference): the band is the customer's answers as of then, the outcome what
    happened in the 12 months after. As in mart_customer_value, "as of then" is each survey item's
    latest answer up to and including that response (int_survey_responses_carried_forward): a partial
    response (a skipped question, an NPS pulse) is banded by the value index, ladder position and NPS
    category of the customer's carried-forward answers, not by the few items it answered itself. NRR
    compares annual revenue (MRR x 12, or a year of paid orders). Current figures (customers,
    avg_predicted_clv_eur, mrr_at_risk_eur) use the customer's latest response (mart_customer_value).
    MRR at risk is the band's current MRR times the share of customers the band has historically lost
    within 12 months (1 - retention_rate_12m).
    A response of an account the CRM does not know has no segment and no place here (mart_nps counts it
    in `all` only); let in, it broke the build on the not-null segment.
-#}
with

responses as (

    select * from {{ ref('int_survey_responses_carried_forward') }}

),

customer_value as (

    select * from {{ ref('mart_customer_value') }}

),

outcomes as (

    select * from {{ ref('int_customer_outcomes_12m') }}

),

lifetime_value as (

    select * from {{ ref('mart_customer_lifetime_value') }}

),

measured_responses as (

    select
        responses.customer_id,
        responses.segment,
        responses.nps_category,
        responses.ladder_position,
        {{ arvo_value_index_band('responses.value_index') }} as value_index_band,
        outcomes.retained_12m,
        -- annual revenue at the response and 12 months later, so that a band's NRR can pool both
        -- kinds of customer: MRR x 12 for subscriptions, paid revenue of the 12 months before / after
        -- for order customers (a month's MRR against a year's orders would let the orders outweigh)
        case
            when outcomes.customer_type = 'subscription' then outcomes.mrr_eur * 12
            else outcomes.paid_revenue_prev_12m_eur
        end as revenue_start_eur,
        -- order revenue is net of credit notes: a customer refunded more than it bought after its
        -- response keeps nothing, never less (a band's NRR stays at or above 0)
        case
            when outcomes.customer_type = 'subscription' then outcomes.mrr_12m_later_eur * 12
            when outcomes.paid_revenue_next_12m_eur < 0 then 0
            else outcomes.paid_revenue_next_12m_eur
        end as revenue_end_eur,
        row_number() over (
            partition by responses.customer_id
            order by responses.responded_at desc, responses.response_id desc
        ) as recency_rank
    from responses
    inner join outcomes
        on responses.customer_id = outcomes.customer_id
        and responses.response_month = outcomes.reference_month
    where outcomes.outcome_known
        and outcomes.active_at_reference
        and responses.segment is not null

),

measured as (

    select * from measured_responses
    where recency_rank = 1

),

current_customers as (

    select
        customer_value.customer_id,
        customer_value.segment,
        customer_value.nps_category,
        customer_value.ladder_position,
        {{ arvo_value_index_band('customer_value.value_index') }} as value_index_band,
        coalesce(customer_value.current_mrr_eur, 0) as current_mrr_eur,
        lifetime_value.predicted_clv_eur
    from customer_value
    left join lifetime_value
        on customer_value.customer_id = lifetime_value.customer_id
    where customer_value.segment is not null

),

{%- set dimensions = ['nps_category', 'ladder_position', 'value_index_band'] %}

measured_long as (

    {%- for dimension in dimensions %}
    select
        segment,
        '{{ dimension }}' as dimension,
        {{ dimension }} as band,
        retained_12m,
        revenue_start_eur,
        revenue_end_eur
    from measured
    where {{ dimension }} is not null
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

current_long as (

    {%- for dimension in dimensions %}
    select
        segment,
        '{{ dimension }}' as dimension,
        {{ dimension }} as band,
        current_mrr_eur,
        predicted_clv_eur
    from current_customers
    where {{ dimension }} is not null
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

outcome_rates as (

    select
        segment,
        dimension,
        band,
        count(*) as customers_with_outcome,
        avg(case when retained_12m then 1.0 else 0.0 end) as retention_rate_12m,
        sum(revenue_end_eur) / nullif(sum(revenue_start_eur), 0) as net_revenue_retention_12m
    from measured_long
    group by segment, dimension, band

),

current_state as (

    select
        segment,
        dimension,
        band,
        count(*) as customers,
        -- Summed as decimals: exact in any order, so parallel aggregation cannot move a cent.
        avg(cast(predicted_clv_eur as decimal(18, 4))) as avg_predicted_clv_eur,
        sum(cast(current_mrr_eur as decimal(18, 4))) as current_mrr_eur
    from current_long
    group by segment, dimension, band

),

bands as (

    select segment, dimension, band from outcome_rates
    union
    select segment, dimension, band from current_state

),

final as (

    select
        bands.segment,
        bands.dimension,
        bands.band,
        cast(coalesce(current_state.customers, 0) as bigint) as customers,
        cast(outcome_rates.retention_rate_12m as {{ type_double() }}) as retention_rate_12m,
        cast(outcome_rates.net_revenue_retention_12m as {{ type_double() }}) as net_revenue_retention_12m,
        cast(current_state.avg_predicted_clv_eur as decimal(18, 4)) as avg_predicted_clv_eur,
        cast(current_state.current_mrr_eur * (1 - outcome_rates.retention_rate_12m) as decimal(18, 4))
            as mrr_at_risk_eur,
        cast(coalesce(outcome_rates.customers_with_outcome, 0) as bigint) as customers_with_outcome,
        cast(coalesce(current_state.current_mrr_eur, 0) as decimal(18, 4)) as current_mrr_eur
    from bands
    left join outcome_rates
        on bands.segment = outcome_rates.segment
        and bands.dimension = outcome_rates.dimension
        and bands.band = outcome_rates.band
    left join current_state
        on bands.segment = current_state.segment
        and bands.dimension = current_state.dimension
        and bands.band = current_state.band

)

select * from final
