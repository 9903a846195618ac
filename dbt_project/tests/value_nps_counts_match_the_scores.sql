{#- mart_nps counted again from the NPS scores of fct_survey_responses (not from nps_category): 9-10
    promoter, 7-8 passive, 0-6 detractor, per month x segment and for `all`. A month x segment on one
    side only, or any count that differs, is a failure. -#}
with

responses as (

    select response_month, segment, nps_score
    from {{ ref('fct_survey_responses') }}
    where nps_score is not null

),

scored as (

    select response_month as period_month, segment, nps_score
    from responses
    where segment is not null

    union all

    select response_month as period_month, 'all' as segment, nps_score
    from responses

),

expected as (

    select
        period_month,
        segment,
        count(*) as respondents,
        sum(case when nps_score >= 9 then 1 else 0 end) as promoters,
        sum(case when nps_score >= 7 and nps_score < 9 then 1 else 0 end) as passives,
        sum(case when nps_score < 7 then 1 else 0 end) as detractors
    from scored
    group by period_month, segment

)

select
    coalesce(expected.period_month, mart.period_month) as period_month,
    coalesce(expected.segment, mart.segment) as segment,
    expected.respondents as expected_respondents,
    mart.respondents,
    expected.promoters as expected_promoters,
    mart.promoters,
    expected.passives as expected_passives,
    mart.passives,
    expected.detractors as expected_detractors,
    mart.detractors
from expected
full outer join {{ ref('mart_nps') }} as mart
    on expected.period_month = mart.period_month
    and expected.segment = mart.segment
where expected.segment is null
    or mart.segment is null
    or expected.respondents <> mart.respondents
    or expected.promoters <> mart.promoters
    or expected.passives <> mart.passives
    or expected.detractors <> mart.detractors
