{#-
    Transactions of order (non-subscription) customers for the BG/NBD and Gamma-Gamma models, up to the
    CLV as-of date: one row per customer and day with a non-void invoice that is not a credit note (several
    invoices on one day count as one transaction), valued at the day's net non-void revenue in EUR.

    Incremental by customer and day (strategy replace_customer_days): a build recomputes the days of
    the invoices that changed since the last build and every day of the customers whose subscriptions
    changed (macros/incremental.sql). A day depends on nothing else: the default CLV as-of date is the
    last invoice date, so no invoice lies beyond it, and a pinned one is a var, whose change makes
    `arvo run` rebuild in full (arvo.build_scope). The result equals a full rebuild.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='replace_customer_days',
        unique_key=['customer_id', 'transaction_date'],
        on_schema_change='sync_all_columns',
        post_hook="{{ arvo_record_watermark() }}",
    )
}}
-- what changed since the last build (macros/incremental.sql) is read from these too:
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

days_in_scope as (

    {{ arvo_invoice_days_changed_since(arvo_model_watermark()) }}

    union

    select customer_id, invoice_date
    from invoices
    where customer_id in ({{ arvo_subscription_customers_changed_since(arvo_model_watermark()) }})

),

invoices_in_scope as (

    select invoices.*
    from invoices
    inner join days_in_scope
        on invoices.customer_id = days_in_scope.customer_id
        and invoices.invoice_date = days_in_scope.invoice_date

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

final as (

    select
        customer_id,
        transaction_date,
        cast(revenue_eur as decimal(18, 4)) as revenue_eur
    from days
    where sale_invoices > 0

)

select * from final
