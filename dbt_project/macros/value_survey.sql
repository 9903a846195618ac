{#- The numeric constructs of the survey catalog, in the order of the landing contract
    (ingestion/contract.py NUMERIC_CONSTRUCTS; tests/dbt/test_value_macros.py keeps them equal).
    The pivot makes one column per construct; which question measures which construct comes from the
    catalog, never from question ids. -#}
{% macro survey_constructs() -%}
    {{ return(['nps'] + value_types() + ladder_steps() + ['expectation', 'experience']) }}
{%- endmacro %}

{% macro value_types() -%}
    {{ return(['value_economic', 'value_functional', 'value_emotional', 'value_social', 'value_symbolic']) }}
{%- endmacro %}

{% macro ladder_steps() -%}
    {{ return(['ladder_awareness', 'ladder_understanding', 'ladder_meaning', 'ladder_differentiation',
               'ladder_fulfilment']) }}
{%- endmacro %}

{#- A rating on its own scale -> 0..100; NPS answers stay on 0..10. -#}
{% macro normalise_rating(answer, scale_min, scale_max, construct) -%}
    case
        when {{ construct }} = 'nps' then {{ answer }}
        when {{ scale_max }} > {{ scale_min }}
            then ({{ answer }} - {{ scale_min }}) * 100.0 / ({{ scale_max }} - {{ scale_min }})
    end
{%- endmacro %}
