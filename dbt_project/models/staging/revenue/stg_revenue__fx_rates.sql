with

source as (

    select * from {{ source('revenue', 'fx_rates') }}

),

deliveries as (

    select
        cast(rate_date as date) as rate_date,
        upper(trim(currency)) as currency,
        cast(rate as decimal(18, 8)) as rate,
        _loaded_at as loaded_at,
        row_number() over (
            partition by cast(rate_date as date), upper(trim(currency))
            order by _loaded_at desc, _row_number desc
        ) as delivery_rank
    from source

),

final as (

    select
        rate_date,
        currency,
        rate,
        loaded_at
    from deliveries
    where delivery_rank = 1

)

select * from final
