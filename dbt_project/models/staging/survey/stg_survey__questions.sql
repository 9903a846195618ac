with

source as (

    select * from {{ source('survey', 'questions') }}

),

versions as (

    select
        trim(survey_id) as survey_id,
        trim(question_id) as question_id,
        lower(trim(construct)) as construct,
        cast(scale_min as integer) as scale_min,
        cast(scale_max as integer) as scale_max,
        nullif(trim(question_text), '') as question_text,
        _loaded_at as loaded_at,
        row_number() over (
            partition by trim(survey_id), trim(question_id)
            order by _loaded_at desc, _row_number desc
        ) as version_rank
    from source

),

final as (

    select
        survey_id,
        question_id,
        construct,
        -- NPS is 0..10 by definition, whatever the catalog says
        case when construct = 'nps' then 0 else scale_min end as scale_min,
        case when construct = 'nps' then 10 else scale_max end as scale_max,
        question_text,
        construct <> 'comment' as is_numeric,
        loaded_at
    from versions
    where version_rank = 1

)

select * from final
