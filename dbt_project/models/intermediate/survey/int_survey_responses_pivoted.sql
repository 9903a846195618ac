{#- Long answers -> one row per response with one column per construct. The construct of each answer
    comes from the question catalog (survey_id + question_id); several questions on one construct are
    averaged. -#}
with

responses as (

    select * from {{ ref('stg_survey__responses') }}

),

scored as (

    select * from {{ ref('int_survey_answers_scored') }}

),

response_headers as (

    select
        response_id,
        min(survey_id) as survey_id,
        min(account_id) as account_id,
        max(contact_id) as contact_id,
        min(responded_at) as responded_at
    from responses
    group by response_id

),

construct_scores as (

    select
        response_id,
        {%- for construct in survey_constructs() %}
        avg(case when construct = '{{ construct }}' then score end) as {{ construct }}{{ ',' if not loop.last }}
        {%- endfor %}
    from scored
    group by response_id

),

final as (

    select
        response_headers.response_id,
        response_headers.survey_id,
        response_headers.account_id,
        response_headers.contact_id,
        response_headers.responded_at,
        {%- for construct in survey_constructs() %}
        construct_scores.{{ construct }}{{ ',' if not loop.last }}
        {%- endfor %}
    from response_headers
    left join construct_scores
        on response_headers.response_id = construct_scores.response_id

)

select * from final
