{#- A view: the catalog may change without a new answer, and scoring is cheap next to the deduplication
    that int_survey_answers keeps incrementally. -#}
{{ config(materialized='view') }}

with

answers as (

    select * from {{ ref('int_survey_answers') }}

),

questions as (

    select * from {{ ref('stg_survey__questions') }}

),

scored as (

    select
        answers.response_id,
        answers.survey_id,
        answers.question_id,
        answers.account_id,
        answers.contact_id,
        answers.responded_at,
        questions.construct,
        answers.answer_numeric,
        {{ normalise_rating('answers.answer_numeric', 'questions.scale_min', 'questions.scale_max',
                            'questions.construct') }} as score
    from answers
    inner join questions
        on answers.survey_id = questions.survey_id
        and answers.question_id = questions.question_id
    where questions.is_numeric
        and answers.answer_numeric is not null

)

select * from scored
