{#-
    Incremental: a build takes the responses with an answer delivered since the last build and chooses
    again, over every delivery of those responses, the latest delivery of each answer; delete+insert by
    response_id then replaces all answers of those responses, so the result equals a full rebuild.
    `--full-refresh` rebuilds everything (needed after a change of this logic).
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='response_id',
        on_schema_change='sync_all_columns',
    )
}}

with

deliveries as {{ arvo_inline_cte() }} (

    select * from {{ ref('stg_survey__responses') }}

),

{% if is_incremental() and arvo_table_has_model_columns() %}

changed_responses as (

    select distinct response_id
    from deliveries
    where loaded_at > {{ arvo_watermark('loaded_at') }}

),

deliveries_in_scope as (

    select *
    from deliveries
    where response_id in (select response_id from changed_responses)

),

{% else %}

deliveries_in_scope as (

    select * from deliveries

),

{% endif %}

ranked_deliveries as (

    select
        *,
        -- the latest delivery of an answer wins (a later load, then a later row of the same file)
        row_number() over (
            partition by response_id, question_id
            order by loaded_at desc, row_in_file desc
        ) as delivery_rank
    from deliveries_in_scope

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
        answer_text,
        loaded_at
    from ranked_deliveries
    where delivery_rank = 1

)

select * from final
