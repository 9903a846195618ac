{#- NPS per month x segment (B2B, B2C and all), counted from counts; only `nps` questions count, and each
    respondent once a month, with its latest NPS answer (fct_survey_responses.counts_in_nps). -#}
with

responses as (

    select * from {{ ref('fct_survey_responses') }}
    where counts_in_nps

),

respondents as (

    select
        response_month as period_month,
        segment,
        nps_category,
        coalesce(response_mrr_eur, 0) as weight
    from responses
    where segment is not null

    union all

    select
        response_month as period_month,
        'all' as segment,
        nps_category,
        coalesce(response_mrr_eur, 0) as weight
    from responses

),

counts as (

    select
        period_month,
        segment,
        count(*) as respondents,
        sum(case when nps_category = 'promoter' then 1 else 0 end) as promoters,
        sum(case when nps_category = 'passive' then 1 else 0 end) as passives,
        sum(case when nps_category = 'detractor' then 1 else 0 end) as detractors,
        sum(case when nps_category = 'promoter' then weight else 0 end) as promoter_weight,
        sum(case when nps_category = 'detractor' then weight else 0 end) as detractor_weight,
        sum(weight) as total_weight
    from respondents
    group by period_month, segment

),

scored as (

    select
        period_month,
        segment,
        respondents,
        promoters,
        passives,
        detractors,
        {{ nps_from_counts('promoters', 'detractors', 'respondents') }} as nps,
        {{ nps_moe_95('promoters', 'detractors', 'respondents') }} as nps_moe_95,
        -- share first, then points: 100 * w / w must not come out as 100.00000000000001
        case
            when total_weight > 0
                then 100.0 * least(greatest((promoter_weight - detractor_weight) / total_weight, -1.0), 1.0)
        end as revenue_weighted_nps
    from counts

),

compared as (

    select
        *,
        nps - lag(nps) over (partition by segment order by period_month) as nps_change,
        lag(promoters) over (partition by segment order by period_month) as previous_promoters,
        lag(detractors) over (partition by segment order by period_month) as previous_detractors,
        lag(respondents) over (partition by segment order by period_month) as previous_respondents
    from scored

),

final as (

    select
        cast(period_month as date) as period_month,
        cast(segment as {{ dbt.type_string() }}) as segment,
        cast(respondents as integer) as respondents,
        cast(promoters as integer) as promoters,
        cast(passives as integer) as passives,
        cast(detractors as integer) as detractors,
        cast(nps as {{ type_double() }}) as nps,
        cast(nps_moe_95 as {{ type_double() }}) as nps_moe_95,
        respondents < {{ var('small_sample_threshold') }} as is_small_sample,
        cast(revenue_weighted_nps as {{ type_double() }}) as revenue_weighted_nps,
        cast(nps_change as {{ type_double() }}) as nps_change,
        {{
            nps_change_is_significant(
                'nps_change', 'promoters', 'detractors', 'respondents',
                'previous_promoters', 'previous_detractors', 'previous_respondents'
            )
        }} as change_is_significant
    from compared

)

select * from final
