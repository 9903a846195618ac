with

source as (

    select * from {{ source('crm', 'accounts') }}

),

versions as (

    select
        trim(account_id) as account_id,
        trim(account_name) as account_name,
        upper(trim(segment)) as segment,
        nullif(trim(industry), '') as industry,
        nullif(upper(trim(country)), '') as country,
        cast(created_at as timestamp) as created_at,
        cast(updated_at as timestamp) as updated_at,
        row_number() over (
            partition by trim(account_id)
            order by updated_at desc, _loaded_at desc, _row_number desc
        ) as version_rank
    from source

),

final as (

    select
        account_id,
        -- a B2C account is a person: its name is personal data and does not leave staging
        case
            when segment = 'B2B' then account_name
            else 'Consumer ' || account_id
        end as account_name,
        segment,
        industry,
        country,
        created_at,
        updated_at
    from versions
    where version_rank = 1

)

select * from final
