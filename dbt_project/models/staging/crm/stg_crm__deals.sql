with

source as (

    select * from {{ source('crm', 'deals') }}

),

versions as (

    select
        trim(deal_id) as deal_id,
        trim(account_id) as account_id,
        lower(trim(stage)) as stage,
        cast(amount as {{ dbt.type_numeric() }}) as amount,
        nullif(upper(trim(currency)), '') as currency,
        cast(created_at as timestamp) as created_at,
        cast(closed_at as timestamp) as closed_at,
        cast(is_won as boolean) as is_won,
        row_number() over (
            partition by trim(deal_id)
            order by _loaded_at desc, _row_number desc
        ) as version_rank
    from source

),

final as (

    select
        deal_id,
        account_id,
        stage,
        amount,
        currency,
        created_at,
        closed_at,
        is_won
    from versions
    where version_rank = 1

)

select * from final
