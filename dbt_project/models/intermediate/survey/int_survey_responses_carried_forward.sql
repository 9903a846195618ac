{#-
    One row per response of fct_survey_responses: the customer's answers as of that response. Each
    survey item (the NPS score, the five value types, the five ladder-step ratings, expectation and
    experience) is the customer's latest answer of it up to and including the response, so a partial
    response (a skipped question, or a survey such as an NPS pulse that asks only some constructs) does
    not blank out what the customer said before, and a response that re-rates one ladder item combines
    with the customer's earlier ratings of the others. The customer is the account: the answers of its
    contacts carry forward alike.

    nps_category, value_index, ladder_step, ladder_position and promise_gap are computed from those items
    with the rules of fct_survey_responses (the macros nps_category, value_index, ladder_step,
    ladder_position and promise_gap), so a response that answered every item scores here as there.

    mart_customer_value describes each customer at its latest response (is_latest_response) and
    mart_value_retention bands each response it measures by these values. One pass: every item's
    carry-forward and is_latest_response share one window (the customer's responses ordered by
    responded_at, then response_id, the order the marts rank them by); a table rebuilt in every run, as
    fct_survey_responses is.
-#}
{%- set items = ['nps_score'] + value_types() + ladder_steps() + ['expectation', 'experience'] %}

with

responses as (

    select * from {{ ref('fct_survey_responses') }}

),

carried as (

    select
        response_id,
        customer_id,
        segment,
        responded_at,
        response_month,
        {%- for item in items %}
        {{ arvo_last_non_null(item, 'customer_id', 'responded_at, response_id') }} as {{ item }},
        {%- endfor %}
        lead(response_id) over (
            partition by customer_id
            order by responded_at, response_id
        ) is null as is_latest_response
    from responses

),

stepped as (

    select
        *,
        {{ ladder_step() }} as ladder_step
    from carried

),

final as (

    select
        response_id,
        customer_id,
        segment,
        responded_at,
        response_month,
        is_latest_response,
        nps_score,
        {{ nps_category('nps_score') }} as nps_category,
        {%- for vt in value_types() %}
        {{ vt }},
        {%- endfor %}
        cast({{ value_index('segment') }} as {{ type_double() }}) as value_index,
        {%- for step in ladder_steps() %}
        {{ step }},
        {%- endfor %}
        cast(ladder_step as integer) as ladder_step,
        {{ ladder_position('ladder_step') }} as ladder_position,
        expectation,
        experience,
        cast({{ promise_gap('experience', 'expectation') }} as {{ type_double() }}) as promise_gap
    from stepped

)

select * from final
