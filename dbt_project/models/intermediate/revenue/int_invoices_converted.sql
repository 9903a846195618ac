with

invoices as (

    select * from {{ ref('stg_revenue__invoices') }}

),

fx_rates as (

    select * from {{ ref('int_fx_rates') }}

),

converted as (

    select
        invoices.invoice_id,
        invoices.account_id as customer_id,
        invoices.invoice_date,
        invoices.currency,
        invoices.amount,
        fx_rates.rate as fx_rate,
        fx_rates.valid_from as fx_rate_date,
        {{ arvo_to_eur('invoices.amount', 'fx_rates.rate') }} as amount_eur,
        invoices.status,
        invoices.is_void
    from invoices
    {{ arvo_fx_join('fx_rates', 'invoices.currency', 'invoices.invoice_date') }}

),

final as (

    select
        invoice_id,
        customer_id,
        invoice_date,
        currency,
        amount,
        fx_rate,
        fx_rate_date,
        amount_eur,
        status,
        is_void,
        -- void invoices are kept for audit but carry no revenue; credit notes stay negative
        case when is_void then cast(0 as decimal(18, 4)) else amount_eur end as revenue_eur
    from converted

)

select * from final
