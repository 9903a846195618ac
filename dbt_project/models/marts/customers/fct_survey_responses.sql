with

responses as (

    select * from {{ ref('int_survey_responses_matched') }}

),

mrr as (

    select * from {{ ref('fct_mrr') }}

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
    from responses
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
