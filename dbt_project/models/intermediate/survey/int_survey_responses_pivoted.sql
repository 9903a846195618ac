{#- Long answers -> one row per response with one column per construct. The construct of each answer
    comes from the question catalog (survey_id + question_id); several questions on one construct are
    averaged.

    Incremental: a build recomputes the responses with an answer delivered since the last build and the
    responses that answer a question whose catalog entry was delivered since then; delete+insert by
    response_id replaces them, so the result equals a full rebuild. `--full-refresh` rebuilds everything
    (needed after a change of this logic). -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='response_id',
        on_schema_change='sync_all_columns',
    )
}}

with

answers as {{ arvo_inline_cte() }} (

    select * from {{ ref('int_survey_answers') }}

),

scored as {{ arvo_inline_cte() }} (

    select * from {{ ref('int_survey_answers_scored') }}

),

questions as (

    select * from {{ ref('stg_survey__questions') }}

),

{% if is_incremental() and arvo_table_has_model_columns() %}

changed_questions as (

    select survey_id, question_id
    from questions
    where loaded_at > {{ arvo_watermark('catalog_loaded_at') }}

),

changed_responses as (

    select response_id
    from answers
    where loaded_at > {{ arvo_watermark('loaded_at') }}

    union

    select answers.response_id
    from answers
    inner join changed_questions
        on answers.survey_id = changed_questions.survey_id
        and answers.question_id = changed_questions.question_id

),

answers_in_scope as (

    select * from answers
    where response_id in (select response_id from changed_responses)

),

scored_in_scope as (

    select * from scored
    where response_id in (select response_id from changed_responses)

),

{% else %}

answers_in_scope as (

    select * from answers

),

scored_in_scope as (

    select * from scored

),

{% endif %}

response_headers as (

    select
        answers_in_scope.response_id,
        min(answers_in_scope.survey_id) as survey_id,
        min(answers_in_scope.account_id) as account_id,
        max(answers_in_scope.contact_id) as contact_id,
        min(answers_in_scope.responded_at) as responded_at,
        max(answers_in_scope.loaded_at) as loaded_at,
        -- the catalog entries of every question answered, scored or not (the catalog watermark)
        max(questions.loaded_at) as catalog_loaded_at
    from answers_in_scope
    left join questions
        on answers_in_scope.survey_id = questions.survey_id
        and answers_in_scope.question_id = questions.question_id
    group by answers_in_scope.response_id

),

construct_scores as (

    select
        response_id,
        {%- for construct in survey_constructs() %}
        avg(case when construct = '{{ construct }}' then score end) as {{ construct }}{{ ',' if not loop.last }}
        {%- endfor %}
    from scored_in_scope
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
        construct_scores.{{ construct }},
        {%- endfor %}
        response_headers.loaded_at,
        response_headers.catalog_loaded_at
    from response_headers
    left join construct_scores
        on response_headers.response_id = construct_scores.response_id

)

select * from final
