{#- NPS building blocks. NPS is always counted from counts of promoters and detractors, never averaged. -#}

{% macro nps_category(score) -%}
    case
        when {{ score }} is null then null
        when {{ score }} >= 9 then 'promoter'
        when {{ score }} >= 7 then 'passive'
        else 'detractor'
    end
{%- endmacro %}

{#- NPS in points (-100..100) from counts. -#}
{% macro nps_from_counts(promoters, detractors, respondents) -%}
    case
        when {{ respondents }} > 0
            then 100.0 * ({{ promoters }} - {{ detractors }}) / {{ respondents }}
    end
{%- endmacro %}

{#- The variance term of NPS shares, (p + d - (p - d)^2) / n, with p and d the promoter and detractor shares. -#}
{% macro nps_share_variance(promoters, detractors, respondents) -%}
    (
        (1.0 * {{ promoters }} / {{ respondents }})
        + (1.0 * {{ detractors }} / {{ respondents }})
        - power((1.0 * {{ promoters }} - {{ detractors }}) / {{ respondents }}, 2)
    ) / {{ respondents }}
{%- endmacro %}

{#- Standard error of NPS in points: 100 * sqrt((p + d - (p - d)^2) / n). -#}
{% macro nps_standard_error(promoters, detractors, respondents) -%}
    case
        when {{ respondents }} > 0
            then 100.0 * sqrt({{ nps_share_variance(promoters, detractors, respondents) }})
    end
{%- endmacro %}

{#- The 95% margin of error of the mart contract: 196 * sqrt((p + d - (p - d)^2) / n). -#}
{% macro nps_moe_95(promoters, detractors, respondents) -%}
    case
        when {{ respondents }} > 0
            then 196.0 * sqrt({{ nps_share_variance(promoters, detractors, respondents) }})
    end
{%- endmacro %}

{#- Is an NPS change between two independent samples significant at 95% (|z| > 1.96)?
    null without a previous value; false when both samples have no variance (z undefined). -#}
{% macro nps_change_is_significant(change, se_now, se_before) -%}
    case
        when {{ change }} is null then null
        when power({{ se_now }}, 2) + power({{ se_before }}, 2) = 0 then false
        else abs({{ change }}) / sqrt(power({{ se_now }}, 2) + power({{ se_before }}, 2)) > 1.96
    end
{%- endmacro %}
