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

{#- The variance of one respondent's score (+1 promoter, 0 passive, -1 detractor): p + d - (p - d)^2, with p
    and d the promoter and detractor shares. -#}
{% macro nps_score_variance(promoters, detractors, respondents) -%}
    (
        (1.0 * {{ promoters }} / {{ respondents }})
        + (1.0 * {{ detractors }} / {{ respondents }})
        - power((1.0 * {{ promoters }} - {{ detractors }}) / {{ respondents }}, 2)
    )
{%- endmacro %}

{#- The 95% margin of error of the mart contract: 196 * sqrt((p + d - (p - d)^2) / n). -#}
{% macro nps_moe_95(promoters, detractors, respondents) -%}
    case
        when {{ respondents }} > 0
            then 196.0 * sqrt({{ nps_score_variance(promoters, detractors, respondents) }} / {{ respondents }})
    end
{%- endmacro %}

{#- Is an NPS change between two independent months significant at 95%? A two-sample z-test of "no change":
    |change| / se > 1.96 with se = 100 * sqrt(v * (1/n1 + 1/n2)), v the score variance of both months
    pooled (the variance the samples have if nothing changed, as the two-proportion z-test takes it).
    Each month's own sample variance would make a month whose respondents all answered alike certain
    (se 0): 4 promoters after 2 promoters + 2 passives came out significant (z = 2) where Fisher's exact
    test gives p = 0.43, and two such months had no z at all. The pooled variance is 0 only when every
    respondent of both months is in one category, and then nothing changed. Null without a previous month. -#}
{% macro nps_change_is_significant(change, promoters, detractors, respondents, previous_promoters, previous_detractors, previous_respondents) -%}
    {%- set pooled_variance = nps_score_variance(
        '(' ~ promoters ~ ' + ' ~ previous_promoters ~ ')',
        '(' ~ detractors ~ ' + ' ~ previous_detractors ~ ')',
        '(' ~ respondents ~ ' + ' ~ previous_respondents ~ ')'
    ) -%}
    case
        when {{ change }} is null then null
        when {{ pooled_variance }} <= 0 then false
        else abs({{ change }}) / (
            100.0 * sqrt({{ pooled_variance }} * (1.0 / {{ respondents }} + 1.0 / {{ previous_respondents }}))
        ) > 1.96
    end
{%- endmacro %}
