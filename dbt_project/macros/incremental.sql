{#-
    Incremental models (int_invoices_converted, int_survey_answers, int_survey_responses_pivoted) keep
    the load time of the rows they were built from, and a build processes what was loaded after the
    latest of those times (the watermark). See docs/money-marts.md and docs/value-marts.md.
-#}

{#-
    Whether this model's existing table has every column the model documents. The incremental models
    build incrementally only when `is_incremental() and arvo_table_has_model_columns()`: a table built
    by an earlier version of the model (say, without the watermark columns) is then rebuilt from all the
    data in this run: the model selects everything, on_schema_change='sync_all_columns' aligns the
    columns and delete+insert replaces every key, which equals a full refresh. (is_incremental() stays
    in the model, where a unit test can override it.)
-#}
{% macro arvo_table_has_model_columns() -%}
    {%- set existing = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
    {%- for column in model.columns -%}
        {%- if column | lower not in existing -%}
            {{ return(false) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(true) }}
{%- endmacro %}


{#- The latest load time in `column` of this model's table; a time before any load when it is empty. -#}
{% macro arvo_watermark(column) -%}
    (select coalesce(max({{ column }}), cast('1900-01-01' as timestamp)) from {{ this }})
{%- endmacro %}


{#-
    Written between an import CTE's name and its body (`answers as {{ arvo_inline_cte() }} (`) in
    int_survey_responses_pivoted, whose incremental branch reads that CTE more than once (for what is
    new, then for what is in scope). DuckDB computes a CTE read more than once in full before the query
    runs: every row, to keep the few a new day touches. Inlined, each read filters first. Measured on
    the large set when the other two incremental models still read their deliveries twice (the model's
    query alone, nothing new): int_invoices_converted 8.5 s -> 0.05 s, int_survey_answers 3.5-4.3 s ->
    0.05 s; they now read only the new deliveries and their own table. Other adapters get no hint and
    keep their engine's own choice.
-#}
{% macro arvo_inline_cte() -%}
    {{ return(adapter.dispatch('arvo_inline_cte', 'arvo')()) }}
{%- endmacro %}

{% macro default__arvo_inline_cte() -%}{%- endmacro %}

{% macro duckdb__arvo_inline_cte() -%}not materialized{%- endmacro %}
