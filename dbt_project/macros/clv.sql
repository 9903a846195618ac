{#-
    Days in one CLV period (`--var clv_period=day|week|month`): recency and tenure are day counts
    divided by this. A month is an average calendar month (365.25 / 12 days), as in arvo.analytics.clv.
-#}
{% macro arvo_clv_period_days() -%}
    {%- set period = var('clv_period', 'week') -%}
    {%- if period == 'day' -%} 1.0
    {%- elif period == 'week' -%} 7.0
    {%- elif period == 'month' -%} 30.4375
    {%- else -%} {{ exceptions.raise_compiler_error("clv_period must be day, week or month, got " ~ period) }}
    {%- endif -%}
{%- endmacro %}

{#-
    The value of `value` on the row where `order_by` is smallest, an aggregate: the revenue of a
    customer's first transaction day (int_clv_customer_summary), without numbering every day in a
    window first (at the large scale 17M transaction days: the summary took 12.3-15.2 s with the
    window, 9.6-11.4 s with this, the same rows). `min_by` as DuckDB, Spark, Databricks, Trino and
    Snowflake spell it; an adapter without it dispatches its own `<adapter>__arvo_value_at_min`.
    With ties in `order_by` the row is any of them: callers pass a unique order.
-#}
{% macro arvo_value_at_min(value, order_by) -%}
    {{ return(adapter.dispatch('arvo_value_at_min', 'arvo')(value, order_by)) }}
{%- endmacro %}

{% macro default__arvo_value_at_min(value, order_by) -%}
    min_by({{ value }}, {{ order_by }})
{%- endmacro %}
