{#- Every calendar month from the first revenue date in the data to the as-of month. -#}
with

first_dates as (

    select min(start_date) as first_date from {{ ref('stg_revenue__subscriptions') }}
    union all
    select min(invoice_date) as first_date from {{ ref('int_invoices_converted') }}

),

spine as (

    {{ arvo_month_spine(
        '(select coalesce(min(first_date), ' ~ arvo_as_of_date() ~ ') from first_dates)',
        arvo_as_of_date()
    ) }}

),

final as (

    select
        month,
        cast({{ dbt.last_day('month', 'month') }} as date) as month_end
    from spine

)

select * from final
