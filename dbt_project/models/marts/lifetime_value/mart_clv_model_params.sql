with

params as (

    select * from {{ ref('int_clv_params') }}

),

final as (

    select
        -- explicit types: a Python model's empty output has untyped (integer) columns
        cast(model as {{ dbt.type_string() }}) as model,
        cast(parameter as {{ dbt.type_string() }}) as parameter,
        cast(value as {{ type_double() }}) as value,
        cast(customers as bigint) as customers,
        cast(log_likelihood as {{ type_double() }}) as log_likelihood,
        cast(as_of as date) as as_of,
        cast(period as {{ dbt.type_string() }}) as period,
        cast(segment as {{ dbt.type_string() }}) as segment,
        cast(cohort as {{ dbt.type_string() }}) as cohort,
        cast(groups as bigint) as distinct_groups,
        cast(converged as boolean) as converged
    from params

)

select * from final
