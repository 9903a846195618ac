{#- Every respondent is exactly one of promoter, passive, detractor. -#}
select
    period_month,
    segment,
    respondents,
    promoters,
    passives,
    detractors
from {{ ref('mart_nps') }}
where promoters + passives + detractors <> respondents
