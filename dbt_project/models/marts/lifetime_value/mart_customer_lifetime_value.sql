with

predictions as (

    select * from {{ ref('int_clv_predictions') }}

),

invoices as (

    select * from {{ ref('int_invoices_converted') }}

),

lifetimes as (

    select * from {{ ref('int_clv_subscription_lifetimes') }}

),

as_of as (

    select {{ arvo_clv_as_of_date() }} as clv_as_of_date

),

invoiced as (

    select
        invoices.customer_id,
        sum(invoices.revenue_eur) as invoiced_revenue_eur
    from invoices
    cross join as_of
    where invoices.invoice_date <= as_of.clv_as_of_date
    group by invoices.customer_id

),

final as (

    select
        -- explicit types: a Python model's empty output has untyped (integer) columns
        cast(predictions.customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(predictions.segment as {{ dbt.type_string() }}) as segment,
        cast(predictions.model as {{ dbt.type_string() }}) as model,
        -- billed revenue (void excluded, credit notes netted); MRR months for a customer never invoiced
        cast(coalesce(invoiced.invoiced_revenue_eur, lifetimes.mrr_revenue_eur, 0) as decimal(18, 4))
            as historical_revenue_eur,
        cast(predictions.frequency as {{ type_double() }}) as frequency,
        cast(predictions.recency as {{ type_double() }}) as recency,
        cast(predictions.tenure as {{ type_double() }}) as tenure,
        cast(predictions.expected_purchases_12m as {{ type_double() }}) as expected_purchases_12m,
        cast(predictions.probability_alive as {{ type_double() }}) as probability_alive,
        cast(predictions.expected_avg_value_eur as decimal(18, 4)) as expected_avg_value_eur,
        cast(predictions.predicted_clv_12m_eur as decimal(18, 4)) as predicted_clv_12m_eur,
        cast(predictions.predicted_clv_eur as decimal(18, 4)) as predicted_clv_eur,
        cast(predictions.expected_remaining_months as {{ type_double() }}) as expected_remaining_months,
        cast(predictions.current_mrr_eur as decimal(18, 4)) as current_mrr_eur,
        as_of.clv_as_of_date
    from predictions
    cross join as_of
    left join invoiced
        on cast(predictions.customer_id as {{ dbt.type_string() }}) = invoiced.customer_id
    left join lifetimes
        on cast(predictions.customer_id as {{ dbt.type_string() }}) = lifetimes.customer_id

)

select * from final
