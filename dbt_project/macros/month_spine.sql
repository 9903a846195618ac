{#-
    One row per month (column `month`, a date on the first of the month) from the month of
    `start_expr` to the month of `end_expr`, both inclusive. Built from a digits cross join and
    dbt.dateadd so it needs no warehouse-specific series function (up to 10,000 months).
-#}
{% macro arvo_month_spine(start_expr, end_expr) -%}
    with digits as (
        select 0 as d union all select 1 union all select 2 union all select 3 union all select 4
        union all select 5 union all select 6 union all select 7 union all select 8 union all select 9
    ),

    offsets as (
        select ones.d + 10 * tens.d + 100 * hundreds.d + 1000 * thousands.d as month_offset
        from digits as ones
        cross join digits as tens
        cross join digits as hundreds
        cross join digits as thousands
    ),

    bounds as (
        select
            cast({{ dbt.date_trunc('month', start_expr) }} as date) as first_month,
            cast({{ dbt.date_trunc('month', end_expr) }} as date) as last_month
    )

    select cast({{ dbt.dateadd('month', 'offsets.month_offset', 'bounds.first_month') }} as date) as month
    from offsets
    cross join bounds
    where offsets.month_offset <= {{ dbt.datediff('bounds.first_month', 'bounds.last_month', 'month') }}
{%- endmacro %}
