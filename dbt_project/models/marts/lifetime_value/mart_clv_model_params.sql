with

params as (

    select * from {{ ref('int_clv_params') }}

),

final as (

    select
        model,
        parameter,
        cast(value as double) as value,
        cast(customers as bigint) as customers,
        cast(log_likelihood as double) as log_likelihood,
        cast(as_of as date) as as_of,
        period,
        segment,
        cast(groups as bigint) as distinct_groups,
        converged
    from params

)

select * from final
