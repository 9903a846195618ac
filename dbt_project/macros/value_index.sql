{#- Value index 0..100: the five value types weighted by the segment's weights (var value_weights).
    Weights are renormalised over the value types the customer answered, so a skipped question does
    not pull the index towards 0; null when none was answered. -#}
{% macro value_index(segment) -%}
    {%- set weights = var('value_weights') -%}
    case
    {%- for seg, w in weights.items() %}
        when {{ segment }} = '{{ seg }}' then
            (
                {%- for vt in value_types() %}
                coalesce({{ vt }} * {{ w[vt[6:]] }}, 0){{ ' +' if not loop.last }}
                {%- endfor %}
            ) / nullif(
                {%- for vt in value_types() %}
                case when {{ vt }} is not null then {{ w[vt[6:]] }} else 0 end{{ ' +' if not loop.last }}
                {%- endfor %}
            , 0)
    {%- endfor %}
    end
{%- endmacro %}
