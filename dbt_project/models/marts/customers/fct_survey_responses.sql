with

responses as (

    select * from {{ ref('int_survey_responses_matched') }}

),

scored as (

    select
        response_id,
        survey_id,
        customer_id,
        segment,
        contact_key,
        responded_at,
        response_month,
        cast(nps as double) as nps_score,
        {{ nps_category('nps') }} as nps_category,
        {%- for construct in value_types() + ladder_steps() %}
        cast({{ construct }} as double) as {{ construct }},
        {%- endfor %}
        {{ ladder_step() }} as ladder_step,
        cast(expectation as double) as expectation,
        cast(experience as double) as experience,
        cast({{ promise_gap('experience', 'expectation') }} as double) as promise_gap
    from responses

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
        cast({{ value_index('segment') }} as double) as value_index,
        {{ ladder_position('ladder_step') }} as ladder_position,
        cast(null as double) as response_mrr_eur
    from scored

)

select * from final
