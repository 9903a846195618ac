with

source as (

    select * from {{ source('revenue', 'invoices') }}

),

deliveries as (

    select
        trim(invoice_id) as invoice_id,
        trim(account_id) as account_id,
        cast(invoice_date as date) as invoice_date,
        upper(trim(currency)) as currency,
        cast(amount as decimal(18, 4)) as amount,
        -- the contract allows an empty status: an invoice without one is treated as billed and paid
        coalesce(nullif(lower(trim(status)), ''), 'paid') as status,
        _loaded_at,
        -- a file delivered again must not double the revenue: the latest delivery of a key wins
        row_number() over (
            partition by trim(invoice_id)
            order by _loaded_at desc, _row_number desc
        ) as delivery_rank
    from source

),

final as (

    select
        invoice_id,
        account_id,
        invoice_date,
        currency,
        amount,
        status,
        status = 'void' as is_void,
        _loaded_at as loaded_at
    from deliveries
    where delivery_rank = 1

)

select * from final
