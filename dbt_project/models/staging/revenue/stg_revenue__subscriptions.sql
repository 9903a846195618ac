with

source as (

    select * from {{ source('revenue', 'subscriptions') }}

),

versions as (

    select
        trim(subscription_id) as subscription_id,
        trim(account_id) as account_id,
        nullif(trim(plan), '') as plan,
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,
        cast(mrr as decimal(18, 4)) as mrr,
        upper(trim(currency)) as currency,
        cast(updated_at as timestamp) as updated_at,
        -- a later updated_at replaces an earlier version of the same subscription
        row_number() over (
            partition by trim(subscription_id)
            order by updated_at desc, _loaded_at desc, _row_number desc
        ) as version_rank
    from source

),

final as (

    select
        subscription_id,
        account_id,
        plan,
        start_date,
        end_date,
        mrr,
        currency,
        updated_at
    from versions
    where version_rank = 1

)

select * from final
