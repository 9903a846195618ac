{#- Value ladder step 0..5: the highest step reached with every step below it reached too.
    A step is reached when its 0..100 rating is at least var('ladder_threshold'); a missing rating is
    not reached. Null when no step was rated at all: a survey that does not ask the ladder (an NPS
    pulse) measures no step, and must not put its respondents on step 0 (below parity). -#}
{% macro ladder_step(threshold=none) -%}
    {%- set t = threshold if threshold is not none else var('ladder_threshold') -%}
    {%- set steps = ladder_steps() -%}
    case
        when {% for step in steps %}{{ step }} is null{{ ' and ' if not loop.last }}{% endfor %} then null
    {%- for step in steps %}
        when coalesce({{ step }} >= {{ t }}, false) = false then {{ loop.index0 }}
    {%- endfor %}
        else {{ steps | length }}
    end
{%- endmacro %}

{% macro ladder_position(step) -%}
    case
        when {{ step }} is null then null
        when {{ step }} <= 2 then 'below_parity'
        when {{ step }} = 3 then 'parity'
        when {{ step }} = 4 then 'advantage'
        else 'proven'
    end
{%- endmacro %}

{% macro promise_gap(experience, expectation) -%}
    ({{ experience }} - {{ expectation }})
{%- endmacro %}
