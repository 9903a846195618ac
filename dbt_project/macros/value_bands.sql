{#-
    Fixed bands of the value index (0..100) used by mart_value_retention: fixed rather than quantile
    cut points, so a band means the same thing in every run and segment.
-#}
{% macro arvo_value_index_band(value_index) -%}
    case
        when {{ value_index }} is null then null
        when {{ value_index }} < 40 then '0-40'
        when {{ value_index }} < 60 then '40-60'
        when {{ value_index }} < 80 then '60-80'
        else '80-100'
    end
{%- endmacro %}
