{#-
    Incremental: a build converts only the invoices delivered since the last build, and the invoices whose
    rate may have changed with the FX rates delivered since then (those of the rate's currency dated on or
    after the earliest new rate; all of the currency when the new rates include its first one). A new
    delivery of an invoice is later than every delivery the table was built from, so the latest of the
    new deliveries wins without a look at the earlier ones; a repriced invoice without a new delivery is
    converted again from its row in this table, which holds its winning delivery. So the result equals a
    full rebuild. `--full-refresh` rebuilds everything (needed after a change of this logic).
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='invoice_id',
        on_schema_change='sync_all_columns',
    )
}}

with

deliveries as (

    select * from {{ ref('stg_revenue__invoices') }}

),

fx_rates as (

    select * from {{ ref('int_fx_rates') }}

),

{% if is_incremental() and arvo_table_has_model_columns() %}

rate_changes as (

    select
        currency,
        min(case when loaded_at > {{ arvo_watermark('fx_loaded_at') }} then valid_from end) as first_new_rate_date,
        min(valid_from) as first_rate_date
    from fx_rates
    group by currency

),

repriced_currencies as (

    select
        currency,
        -- the currency's first rate is new: invoices before it change too (EUR loses its implicit 1)
        case when first_new_rate_date > first_rate_date then first_new_rate_date end as repriced_from
    from rate_changes
    where first_new_rate_date is not null

),

new_deliveries as (

    select
        invoice_id,
        account_id,
        invoice_date,
        currency,
        amount,
        status,
        is_void,
        loaded_at,
        row_in_file
    from deliveries
    where loaded_at > {{ arvo_watermark('loaded_at') }}

),

-- a new delivery of one of these invoices is later than its row here, so the ranking below prefers it
repriced_invoices as (

    select
        converted.invoice_id,
        converted.customer_id as account_id,
        converted.invoice_date,
        converted.currency,
        converted.amount,
        converted.status,
        converted.is_void,
        converted.loaded_at,
        0 as row_in_file
    from {{ this }} as converted
    inner join repriced_currencies
        on converted.currency = repriced_currencies.currency
    where repriced_currencies.repriced_from is null
        or converted.invoice_date >= repriced_currencies.repriced_from

),

deliveries_in_scope as (

    select * from new_deliveries
    union all
    select * from repriced_invoices

),

{% else %}

deliveries_in_scope as (

    select * from deliveries

),

{% endif %}

ranked_deliveries as (

    select
        *,
        -- a file delivered again must not double the revenue: the latest delivery of a key wins
        row_number() over (
            partition by invoice_id
            order by loaded_at desc, row_in_file desc
        ) as delivery_rank
    from deliveries_in_scope

),

invoices as (

    select * from ranked_deliveries
    where delivery_rank = 1

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
        invoices.is_void,
        invoices.loaded_at,
        fx_rates.loaded_at as fx_loaded_at
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
        case when is_void then cast(0 as decimal(18, 4)) else amount_eur end as revenue_eur,
        loaded_at,
        fx_loaded_at
    from converted

)

select * from final
