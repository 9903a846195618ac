{#-
    One row per customer with at least one response, described at its latest response.

    Every survey item is the customer's as of that response (int_survey_responses_carried_forward): the
    value types, the ladder-step ratings, expectation, experience and the NPS score are each the
    customer's latest answer of it up to that response, so a partial latest response (a skipped
    question, or a survey such as an NPS pulse that asks no value type, ladder step or expectation)
    does not blank out what the customer said before. value_index, ladder_step, ladder_position,
    promise_gap and nps_category are computed from those items with the rules of fct_survey_responses.

    retained_12m: did the customer have revenue 12 months after the response month (the rule of
    int_customer_outcomes_12m)? That model has rows from the customer's first revenue month on, so a
    response given before any revenue (a prospect, or a customer that never paid) finds none there:
    once the 12 months have passed, the answer is the outcome row 12 months later (a subscription
    customer with MRR then), an order customer's first paid invoice within the 12 months (its first
    row then exists), and false without revenue by then. active_at_response tells such a prospect, and a
    customer that had left by its response, from a customer with revenue at the time: retention rates
    (the semantic layer's surveyed_retention_rate_12m) count only the latter.
-#}
with

responses as (

    select * from {{ ref('int_survey_responses_carried_forward') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

outcomes as (

    select * from {{ ref('int_customer_outcomes_12m') }}

),

lifetime_values as (

    select * from {{ ref('mart_customer_lifetime_value') }}

),

latest as (

    select * from responses
    where is_latest_response

),

as_of as (

    select {{ arvo_as_of_month() }} as as_of_month

),

retention as (

    select
        latest.customer_id,
        coalesce(at_response.active_at_reference, false) as active_at_response,
        case
            when at_response.customer_id is not null then at_response.retained_12m
            when cast({{ dbt.dateadd('month', 12, 'latest.response_month') }} as date) > as_of.as_of_month
                then null
            when twelve_months_later.customer_id is null then false
            when twelve_months_later.customer_type = 'subscription' then twelve_months_later.mrr_eur > 0
            else true
        end as retained_12m
    from latest
    cross join as_of
    left join outcomes as at_response
        on latest.customer_id = at_response.customer_id
        and latest.response_month = at_response.reference_month
    left join outcomes as twelve_months_later
        on latest.customer_id = twelve_months_later.customer_id
        and cast({{ dbt.dateadd('month', 12, 'latest.response_month') }} as date)
            = twelve_months_later.reference_month

),

final as (

    select
        latest.customer_id,
        coalesce(customers.segment, latest.segment) as segment,
        latest.response_month as as_of_month,
        latest.response_id,
        {%- for vt in value_types() %}
        latest.{{ vt }},
        {%- endfor %}
        latest.value_index,
        latest.ladder_step,
        latest.ladder_position,
        latest.promise_gap,
        latest.nps_score,
        latest.nps_category,
        customers.current_mrr_eur,
        retention.active_at_response,
        retention.retained_12m,
        cast(lifetime_values.predicted_clv_eur as {{ type_double() }}) as predicted_clv_eur
    from latest
    left join customers
        on latest.customer_id = customers.customer_id
    left join retention
        on latest.customer_id = retention.customer_id
    left join lifetime_values
        on latest.customer_id = lifetime_values.customer_id

)

select * from final
