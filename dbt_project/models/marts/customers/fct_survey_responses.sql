{#- One row per survey response given on or before the as-of date (arvo_as_of_date(), the last day the
    marts speak of; fct_mrr has no month after it either). -#}
with

responses as (

    select * from {{ ref('int_survey_responses_matched') }}

),

mrr as (

    select * from {{ ref('fct_mrr') }}

),

as_of as (

    select {{ arvo_as_of_date() }} as as_of_date

),

responses_to_date as (

    select responses.*
    from responses
    cross join as_of
    where cast(responses.responded_at as date) <= as_of.as_of_date

),

scored as (

    select
        responses.response_id,
        responses.survey_id,
        responses.customer_id,
        responses.segment,
        responses.contact_key,
        responses.responded_at,
        responses.response_month,
        cast(nps as {{ type_double() }}) as nps_score,
        {{ nps_category('nps') }} as nps_category,
        {%- for construct in value_types() + ladder_steps() %}
        cast({{ construct }} as {{ type_double() }}) as {{ construct }},
        {%- endfor %}
        {{ ladder_step() }} as ladder_step,
        cast(expectation as {{ type_double() }}) as expectation,
        cast(experience as {{ type_double() }}) as experience,
        cast({{ promise_gap('experience', 'expectation') }} as {{ type_double() }}) as promise_gap,
        cast(coalesce(mrr.mrr_eur, 0) as {{ type_double() }}) as response_mrr_eur
    from responses_to_date as responses
    left join mrr
        on responses.customer_id = mrr.customer_id
        and responses.response_month = mrr.month

),

final as (

    select
        response_id,
        survey_id,
        customer_id,
        contact_key,
        responded_at,
        response_month,
        nps_score,
        nps_category,
        {%- for construct in value_types() + ladder_steps() %}
        {{ construct }},
        {%- endfor %}
        cast(ladder_step as integer) as ladder_step,
        expectation,
        experience,
        promise_gap,
        segment,
        cast({{ value_index('segment') }} as {{ type_double() }}) as value_index,
        {{ ladder_position('ladder_step') }} as ladder_position,
        response_mrr_eur
    from scored

)

select * from final
