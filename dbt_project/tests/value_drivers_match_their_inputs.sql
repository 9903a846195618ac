{#- The NPS drivers of mart_value_drivers against their inputs, computed here in SQL rather than in the
    Python model: per segment, the complete responses of fct_survey_responses (NPS and all ten drivers
    answered) are the respondents, and each driver's correlation is corr(driver, nps_score) over them.
    Where importance is known, R^2 (the sum of the relative weights) lies between the largest squared
    correlation (a regression on all drivers explains at least as much as one of them) and 1.
    That importance sums to 100 holds by construction (importance = weight / sum of weights) and is
    tested with the algorithm in tests/test_relative_weights.py. -#}
{%- set drivers = value_types() + ladder_steps() %}
with

complete as (

    select *
    from {{ ref('fct_survey_responses') }}
    where segment in ('B2B', 'B2C')
        and nps_score is not null
        {%- for driver in drivers %}
        and {{ driver }} is not null
        {%- endfor %}

),

expected as (

    {%- for driver in drivers %}
    select
        segment,
        '{{ driver }}' as driver,
        count(*) as respondents,
        corr({{ driver }}, nps_score) as correlation
    from complete
    group by segment
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

mart as (

    select
        *,
        max(correlation * correlation) over (partition by segment, outcome) as max_squared_correlation
    from {{ ref('mart_value_drivers') }}
    where outcome = 'nps'

)

select
    mart.segment,
    mart.driver,
    mart.respondents,
    coalesce(expected.respondents, 0) as expected_respondents,
    mart.correlation,
    expected.correlation as expected_correlation,
    mart.r_squared,
    mart.max_squared_correlation
from mart
left join expected
    on mart.segment = expected.segment
    and mart.driver = expected.driver
where mart.respondents <> coalesce(expected.respondents, 0)
    or (
        mart.importance_pct is not null
        and (
            expected.correlation is null
            or abs(mart.correlation - expected.correlation) > 1e-6
            or mart.r_squared < mart.max_squared_correlation - 1e-9
            or mart.r_squared > 1 + 1e-9
        )
    )
