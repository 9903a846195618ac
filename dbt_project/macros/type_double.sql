{#- A 64-bit float (dbt.type_float() is a 4-byte FLOAT on DuckDB, too coarse for money and shares). -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'arvo')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double precision
{%- endmacro %}

{% macro duckdb__type_double() -%}
    double
{%- endmacro %}
