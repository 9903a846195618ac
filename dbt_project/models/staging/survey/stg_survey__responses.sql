with

source as (

    select * from {{ source('survey', 'responses') }}

),

versions as (

    select
        trim(response_id) as response_id,
        trim(survey_id) as survey_id,
        trim(question_id) as question_id,
        trim(account_id) as account_id,
        nullif(trim(contact_id), '') as contact_id,
        cast(responded_at as timestamp) as responded_at,
        cast(answer_numeric as {{ type_double() }}) as answer_numeric,
        nullif(trim(answer_text), '') as answer_text,
        row_number() over (
            partition by trim(response_id), trim(question_id)
            order by _loaded_at desc, _row_number desc
        ) as version_rank
    from source

),

final as (

    select
        response_id,
        survey_id,
        question_id,
        account_id,
        contact_id,
        responded_at,
        answer_numeric,
        answer_text
    from versions
    where version_rank = 1

)

select * from final
