with

fx_rates as (

    select * from {{ ref('stg_revenue__fx_rates') }}

),

-- EUR is the reporting currency: it converts at 1 unless a source explicitly quotes it
euro as (

    select
        cast('1900-01-01' as date) as rate_date,
        'EUR' as currency,
        cast(1 as decimal(18, 8)) as rate,
        cast(null as timestamp) as loaded_at
    where not exists (select 1 from fx_rates where currency = 'EUR')

),

all_rates as (

    select rate_date, currency, rate, loaded_at from fx_rates
    union all
    select rate_date, currency, rate, loaded_at from euro

),

final as (

    select
        currency,
        rate,
        rate_date as valid_from,
        lead(rate_date) over (partition by currency order by rate_date) as valid_until,
        loaded_at
    from all_rates

)

select * from final
