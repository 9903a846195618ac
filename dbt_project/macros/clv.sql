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
