{#- The day grain time spine MetricFlow needs to resolve metric_time (2015..2040). -#}
{{ config(materialized='table') }}

with

days as (

    {{ dbt.date_spine('day', "cast('2015-01-01' as date)", "cast('2040-12-31' as date)") }}

),

final as (

    select cast(date_day as date) as date_day
    from days

)

select * from final
