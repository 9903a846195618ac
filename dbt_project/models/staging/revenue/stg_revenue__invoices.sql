with

source as (

    select * from {{ source('revenue', 'invoices') }}

),

final as (

    select
        trim(invoice_id) as invoice_id,
        trim(account_id) as account_id,
        cast(invoice_date as date) as invoice_date,
        upper(trim(currency)) as currency,
        cast(amount as decimal(18, 4)) as amount,
        -- the contract allows an empty status: an invoice without one is treated as billed and paid
        coalesce(nullif(lower(trim(status)), ''), 'paid') as status,
        coalesce(nullif(lower(trim(status)), ''), 'paid') = 'void' as is_void,
        _loaded_at as loaded_at,
        _row_number as row_in_file
    from source

)

select * from final
