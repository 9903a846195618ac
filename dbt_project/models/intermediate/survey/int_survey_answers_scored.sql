with

responses as (

    select * from {{ ref('stg_survey__responses') }}

),

questions as (

    select * from {{ ref('stg_survey__questions') }}

),

scored as (

    select
        responses.response_id,
        responses.survey_id,
        responses.question_id,
        responses.account_id,
        responses.contact_id,
        responses.responded_at,
        questions.construct,
        responses.answer_numeric,
        {{ normalise_rating('responses.answer_numeric', 'questions.scale_min', 'questions.scale_max',
                            'questions.construct') }} as score
    from responses
    inner join questions
        on responses.survey_id = questions.survey_id
        and responses.question_id = questions.question_id
    where questions.is_numeric
        and responses.answer_numeric is not null

)

select * from scored
