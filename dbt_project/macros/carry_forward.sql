{#-
    The latest non-null value of `expression` among the rows of its partition up to and including the
    current row, in `order_by` order: a window expression. Carries a customer's latest answer of a
    survey item forward over responses that did not answer it (int_survey_responses_carried_forward).

    The standard's null treatment (SQL:2011 `ignore nulls`), spelled as DuckDB, BigQuery, Redshift and
    Snowflake accept it. An adapter that spells it otherwise (Spark: `last_value(x, true)`) or lacks it
    (Postgres: a running count of the non-null values as a group key, then max over that group)
    dispatches its own `<adapter>__arvo_last_non_null`. Every expression with the same partition and
    order shares one sort: the carry-forward of many items is one pass.
-#}
{% macro arvo_last_non_null(expression, partition_by, order_by) -%}
    {{ return(adapter.dispatch('arvo_last_non_null', 'arvo')(expression, partition_by, order_by)) }}
{%- endmacro %}

{% macro default__arvo_last_non_null(expression, partition_by, order_by) -%}
    last_value({{ expression }} ignore nulls) over (
            partition by {{ partition_by }}
            order by {{ order_by }}
            rows between unbounded preceding and current row
        )
{%- endmacro %}
