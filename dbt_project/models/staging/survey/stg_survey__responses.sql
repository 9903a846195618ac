with

source as (

    select * from {{ source('survey', 'responses') }}

),

final as (

    select
        trim(response_id) as response_id,
        trim(survey_id) as survey_id,
        trim(question_id) as question_id,
        trim(account_id) as account_id,
        nullif(trim(contact_id), '') as contact_id,
        cast(responded_at as timestamp) as responded_at,
        cast(answer_numeric as {{ type_double() }}) as answer_numeric,
        nullif(trim(answer_text), '') as answer_text,
        _loaded_at as loaded_at,
        _row_number as row_in_file
    from source

)

select * from final
