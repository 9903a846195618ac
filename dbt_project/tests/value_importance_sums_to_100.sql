{#- Relative importance is a share of R^2: it sums to 100 per segment x outcome wherever it is known. -#}
select
    segment,
    outcome,
    sum(importance_pct) as total_importance
from {{ ref('mart_value_drivers') }}
where importance_pct is not null
group by segment, outcome
having abs(sum(importance_pct) - 100) > 0.001
