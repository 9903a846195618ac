{#-
    Incremental: a build takes the responses with an answer delivered since the last build and chooses
    again the latest delivery of each of their answers, from the new deliveries and the answers this
    table holds for those responses (the winning deliveries of the earlier builds: a new delivery is
    later than all of them). delete+insert by response_id then replaces all answers of those responses,
    so the result equals a full rebuild. `--full-refresh` rebuilds everything (needed after a change of
    this logic).
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='response_id',
        on_schema_change='sync_all_columns',
    )
}}

{#- the model's columns: the new deliveries and this table's rows are stacked by position on them -#}
{%- set answer_columns = [
    'response_id', 'survey_id', 'question_id', 'account_id', 'contact_id', 'responded_at',
    'answer_numeric', 'answer_text', 'loaded_at',
] %}

with

deliveries as (

    select * from {{ ref('stg_survey__responses') }}

),

{% if is_incremental() and arvo_table_has_model_columns() %}

new_deliveries as (

    select
        {%- for column in answer_columns %}
        {{ column }},
        {%- endfor %}
        row_in_file
    from deliveries
    where loaded_at > {{ arvo_watermark('loaded_at') }}

),

-- the other answers of those responses: a new delivery of one of them is later, so the ranking prefers it
earlier_answers as (

    select
        {%- for column in answer_columns %}
        {{ column }},
        {%- endfor %}
        0 as row_in_file
    from {{ this }}
    where response_id in (select response_id from new_deliveries)

),

deliveries_in_scope as (

    select * from new_deliveries
    union all
    select * from earlier_answers

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
        {%- for column in answer_columns %}
        {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from ranked_deliveries
    where delivery_rank = 1

)

select * from final
