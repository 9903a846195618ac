{#-
    Transactions of order (non-subscription) customers for the BG/NBD and Gamma-Gamma models, up to the
    CLV as-of date: one row per customer and day with a non-void invoice that is not a credit note (several
    invoices on one day count as one transaction), valued at the day's net non-void revenue in EUR.
-#}
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

order_invoices as (

    select invoices.*
    from invoices
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
        cast(revenue_eur as decimal(18, 4)) as revenue_eur,
        row_number() over (partition by customer_id order by transaction_date) as transaction_number
    from days
    where sale_invoices > 0

)

select * from final
