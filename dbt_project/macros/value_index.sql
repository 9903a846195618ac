{#- Value index 0..100: the five value types weighted by the segment's weights (var value_weights).
    Weights are renormalised over the value types the customer answered, so a skipped question does
    not pull the index towards 0; null when none was answered. Only their proportions matter, so a set
    need not sum to 1; arvo_checked_value_weights() stops the compilation on weights that cannot be
    meant. -#}
{% macro value_index(segment) -%}
    {%- set weights = arvo_checked_value_weights() -%}
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


{#- var value_weights, checked: `--var value_weights=...` replaces the whole mapping, so a segment left
    out would make its every value index null without a word, a value type left out would compile to
    broken SQL, and a negative weight would put the index outside 0..100. -#}
{% macro arvo_checked_value_weights() -%}
    {%- set weights = var('value_weights') -%}
    {%- if weights is not mapping -%}
        {{ exceptions.raise_compiler_error("var value_weights must map each segment (B2B, B2C) to its weights, got: " ~ weights) }}
    {%- endif -%}
    {%- for seg in ['B2B', 'B2C'] -%}
        {%- if seg not in weights or weights[seg] is not mapping -%}
            {{ exceptions.raise_compiler_error("var value_weights has no weights for segment " ~ seg ~ " (it replaces the whole default mapping: give every segment)") }}
        {%- endif -%}
        {%- set ns = namespace(total=0) -%}
        {%- for vt in value_types() -%}
            {%- set key = vt[6:] -%}
            {%- if key not in weights[seg] -%}
                {{ exceptions.raise_compiler_error("var value_weights: " ~ seg ~ " has no weight for " ~ key ~ " (give all five value types)") }}
            {%- endif -%}
            {%- set w = weights[seg][key] -%}
            {%- if w is not number or w is sameas true or w is sameas false or w < 0 -%}
                {{ exceptions.raise_compiler_error("var value_weights: the weight must be a number >= 0, got " ~ seg ~ " " ~ key ~ ": " ~ w) }}
            {%- endif -%}
            {%- set ns.total = ns.total + w -%}
        {%- endfor -%}
        {%- if ns.total <= 0 -%}
            {{ exceptions.raise_compiler_error("var value_weights: the weights of " ~ seg ~ " sum to 0") }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(weights) }}
{%- endmacro %}
