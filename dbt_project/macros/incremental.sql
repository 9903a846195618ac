{#-
    Incremental models keep the load time of the rows they were built from, and a build processes what
    was loaded after the latest of those times (the watermark): by load (int_invoices_converted,
    int_survey_answers, int_survey_responses_pivoted) or by customer (int_customer_outcomes_12m,
    int_clv_transaction_days: every row of a customer whose revenue inputs changed). See
    docs/money-marts.md and docs/value-marts.md.
-#}

{#-
    Whether this model's existing table has every column the model documents. The incremental models
    build incrementally only when `is_incremental() and arvo_table_has_model_columns()`: a table built
    by an earlier version of the model (say, without the watermark columns) is then rebuilt from all the
    data in this run: the model selects everything, on_schema_change='sync_all_columns' aligns the
    columns and delete+insert replaces every key, which equals a full refresh. (is_incremental() stays
    in the model, where a unit test can override it.)
-#}
{% macro arvo_table_has_model_columns() -%}
    {%- set existing = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
    {%- for column in model.columns -%}
        {%- if column | lower not in existing -%}
            {{ return(false) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(true) }}
{%- endmacro %}


{#- The latest load time in `column` of this model's table; a time before any load when it is empty. -#}
{% macro arvo_watermark(column) -%}
    (select coalesce(max({{ column }}), cast('1900-01-01' as timestamp)) from {{ this }})
{%- endmacro %}


{#-
    The incremental models keyed by customer (int_customer_outcomes_12m, int_clv_transaction_days)
    rebuild only the customers whose revenue inputs changed since their watermark, a load time. This
    selects those customers:
    - of invoices delivered since, and of every earlier delivery of the same invoices (a later
      delivery may move an invoice to another customer, or void it);
    - of invoices converted again because FX rates delivered since apply to them;
    - of subscriptions delivered since, and of every earlier delivery of the same subscriptions;
    - of subscriptions booked at a rate delivered since (the rate's currency, started on or after the
      earliest new rate; all of the currency when its first rate is new).
-#}
{% macro arvo_customers_changed_since(watermark) -%}
    select deliveries.account_id as customer_id
    from {{ ref('stg_revenue__invoices') }} as deliveries
    where deliveries.invoice_id in (
        select invoice_id from {{ ref('stg_revenue__invoices') }} where loaded_at > {{ watermark }}
    )

    union

    select customer_id
    from {{ ref('int_invoices_converted') }}
    where fx_loaded_at > {{ watermark }}

    union

    select trim(account_id) as customer_id
    from {{ source('revenue', 'subscriptions') }}
    where trim(subscription_id) in (
        select trim(subscription_id) from {{ source('revenue', 'subscriptions') }} where _loaded_at > {{ watermark }}
    )

    union

    select subscriptions.account_id as customer_id
    from {{ ref('stg_revenue__subscriptions') }} as subscriptions
    inner join (
        select
            currency,
            min(case when loaded_at > {{ watermark }} then valid_from end) as first_new_rate_date,
            min(valid_from) as first_rate_date
        from {{ ref('int_fx_rates') }}
        group by currency
    ) as rate_changes
        on subscriptions.currency = rate_changes.currency
    where rate_changes.first_new_rate_date is not null
        and (
            rate_changes.first_new_rate_date <= rate_changes.first_rate_date
            or subscriptions.start_date >= rate_changes.first_new_rate_date
        )
{%- endmacro %}


{#-
    Incremental strategy `replace_customers` of the customer-keyed models: the new table holds every row
    of the customers in scope; their old rows are deleted, including those of a customer in scope that
    now has none (its only invoice voided, say), which delete+insert would keep. Runs in the model's
    transaction, after the new rows are computed and before the watermark moves.
-#}
{% macro get_incremental_replace_customers_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set columns = arg_dict['dest_columns'] | map(attribute='quoted') | join(', ') -%}
    delete from {{ target }}
    where customer_id in (select customer_id from {{ arg_dict['temp_relation'] }})
        or customer_id in ({{ arvo_customers_changed_since(arvo_watermark('inputs_loaded_at')) }});

    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
{%- endmacro %}
