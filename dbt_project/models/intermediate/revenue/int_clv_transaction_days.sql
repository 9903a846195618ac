{#-
    Transactions of order (non-subscription) customers for the BG/NBD and Gamma-Gamma models, up to the
    CLV as-of date: one row per customer and day with a non-void invoice that is not a credit note (several
    invoices on one day count as one transaction), valued at the day's net non-void revenue in EUR.

    Incremental: a build recomputes the customers whose invoices or subscriptions changed since the
    last build (arvo_customers_changed_since) and replaces all their rows. Nothing else moves a row:
    the default CLV as-of date is the last invoice date, so no invoice lies beyond it, and a pinned one
    is a var, whose change makes `arvo run` rebuild in full (arvo.build_scope). The result equals a
    full rebuild.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='replace_customers',
        unique_key='customer_id',
        on_schema_change='sync_all_columns',
    )
}}
-- the changed customers (arvo_customers_changed_since) come from these too:
-- depends_on: {{ ref('stg_revenue__invoices') }}
-- depends_on: {{ ref('stg_revenue__subscriptions') }}
-- depends_on: {{ ref('int_fx_rates') }}

with

invoices as (

    select * from {{ ref('int_invoices_converted') }}

),

subscription_customers as (

    select distinct customer_id from {{ ref('int_customer_mrr_months') }}

),

as_of as (

    select {{ arvo_clv_as_of_date() }} as clv_as_of_date

),

{% if is_incremental() and arvo_table_has_model_columns() %}

invoices_in_scope as (

    select * from invoices
    where customer_id in ({{ arvo_customers_changed_since(arvo_watermark('inputs_loaded_at')) }})

),

{% else %}

invoices_in_scope as (

    select * from invoices

),

{% endif %}

order_invoices as (

    select invoices.*
    from invoices_in_scope as invoices
    cross join as_of
    left join subscription_customers
        on invoices.customer_id = subscription_customers.customer_id
    where subscription_customers.customer_id is null
        and not invoices.is_void
        and invoices.invoice_date <= as_of.clv_as_of_date

),

days as (

    select
        customer_id,
        invoice_date as transaction_date,
        sum(revenue_eur) as revenue_eur,
        sum(case when amount >= 0 then 1 else 0 end) as sale_invoices
    from order_invoices
    group by customer_id, invoice_date

),

-- the watermark of the next incremental build (see the column's description)
customer_loads as (

    select
        customer_id,
        max(greatest(loaded_at, coalesce(fx_loaded_at, loaded_at))) as inputs_loaded_at
    from invoices_in_scope
    group by customer_id

),

final as (

    select
        days.customer_id,
        days.transaction_date,
        cast(days.revenue_eur as decimal(18, 4)) as revenue_eur,
        row_number() over (partition by days.customer_id order by days.transaction_date) as transaction_number,
        customer_loads.inputs_loaded_at
    from days
    inner join customer_loads
        on days.customer_id = customer_loads.customer_id
    where days.sale_invoices > 0

)

select * from final
