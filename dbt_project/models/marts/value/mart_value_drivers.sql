with

drivers as (

    select * from {{ ref('int_value_drivers') }}

),

final as (

    select
        cast(segment as {{ dbt.type_string() }}) as segment,
        cast(outcome as {{ dbt.type_string() }}) as outcome,
        cast(driver as {{ dbt.type_string() }}) as driver,
        cast(importance_pct as {{ type_double() }}) as importance_pct,
        cast(correlation as {{ type_double() }}) as correlation,
        cast(respondents as integer) as respondents,
        cast(raw_weight as {{ type_double() }}) as raw_weight,
        cast(r_squared as {{ type_double() }}) as r_squared,
        cast(
            case
                when importance_pct is not null
                    then row_number() over (
                        partition by segment, outcome
                        order by importance_pct desc nulls last, driver
                    )
            end as integer
        ) as importance_rank
    from drivers

)

select * from final
