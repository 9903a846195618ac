{#- One row per customer with at least one response, described at its latest response. -#}
with

responses as (

    select * from {{ ref('fct_survey_responses') }}

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

ranked as (

    select
        responses.*,
        row_number() over (
            partition by customer_id
            order by responded_at desc, response_id desc
        ) as recency_rank
    from responses

),

latest as (

    select * from ranked
    where recency_rank = 1

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
        outcomes.retained_12m,
        cast(lifetime_values.predicted_clv_eur as {{ type_double() }}) as predicted_clv_eur
    from latest
    left join customers
        on latest.customer_id = customers.customer_id
    left join outcomes
        on latest.customer_id = outcomes.customer_id
        and latest.response_month = outcomes.reference_month
    left join lifetime_values
        on latest.customer_id = lifetime_values.customer_id

)

select * from final
