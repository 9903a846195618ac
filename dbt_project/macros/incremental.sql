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
    rebuild only what changed since their watermark: the latest load time of the revenue inputs
    (invoices, subscriptions, FX rates) when they were last built, kept in audit.dbt_watermarks. The
    table is written in the model's transaction (a post-hook), so a build that fails or is killed
    leaves the watermark where the model's rows are.
-#}
{% macro arvo_model_watermark() -%}
    (
        select coalesce(max(loaded_through), cast('1900-01-01' as timestamp))
        from audit.dbt_watermarks
        where model_name = '{{ this.identifier }}'
    )
{%- endmacro %}


{#- on-run-start (dbt_project.yml): the watermark table exists -#}
{% macro arvo_create_watermarks() -%}
    create schema if not exists audit;
    create table if not exists audit.dbt_watermarks (model_name varchar, loaded_through timestamp)
{%- endmacro %}


{#- post-hook: the model has now seen every revenue load so far (loads and builds are serialised) -#}
{% macro arvo_record_watermark() -%}
    delete from audit.dbt_watermarks where model_name = '{{ this.identifier }}';
    insert into audit.dbt_watermarks
    select
        '{{ this.identifier }}',
        (
            select max(latest)
            from (
                select max(loaded_at) as latest from {{ ref('stg_revenue__invoices') }}
                union all
                select max(_loaded_at) as latest from {{ source('revenue', 'subscriptions') }}
                union all
                select max(loaded_at) as latest from {{ ref('int_fx_rates') }}
            ) as load_times
        )
{%- endmacro %}


{#-
    (customer, invoice date) of the invoices that changed since `watermark`: of every delivery of an
    invoice delivered since (a later delivery may move an invoice to another customer or date, or void
    it), and of the invoices converted again because FX rates delivered since apply to them.
-#}
{% macro arvo_invoice_days_changed_since(watermark) -%}
    select account_id as customer_id, invoice_date
    from {{ ref('stg_revenue__invoices') }}
    where invoice_id in (
        select invoice_id from {{ ref('stg_revenue__invoices') }} where loaded_at > {{ watermark }}
    )

    union

    select customer_id, invoice_date
    from {{ ref('int_invoices_converted') }}
    where fx_loaded_at > {{ watermark }}
{%- endmacro %}


{#-
    Customers whose subscriptions changed since `watermark`: of every delivery of a subscription
    delivered since (it may have moved, or turned an order customer into a subscription customer), and
    of the subscriptions booked at a rate delivered since (their currency, started on or after the
    earliest new rate; all of the currency when its first rate is new).
-#}
{% macro arvo_subscription_customers_changed_since(watermark) -%}
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


{#- Customers whose invoices or subscriptions changed since `watermark`. -#}
{% macro arvo_customers_changed_since(watermark) -%}
    select customer_id from ({{ arvo_invoice_days_changed_since(watermark) }}) as changed_days
    union
    select customer_id from ({{ arvo_subscription_customers_changed_since(watermark) }}) as changed_subscriptions
{%- endmacro %}


{#-
    Incremental strategy `replace_customers` (int_customer_outcomes_12m): the new table holds every
    row of the customers in scope; their old rows are deleted, including those of a changed customer
    that now has none (its only invoice voided, say), which delete+insert would keep.
-#}
{% macro get_incremental_replace_customers_sql(arg_dict) -%}
    delete from {{ arg_dict['target_relation'] }}
    where customer_id in (select customer_id from {{ arg_dict['temp_relation'] }})
        or customer_id in ({{ arvo_customers_changed_since(arvo_model_watermark()) }});

    {{ _arvo_insert_new_rows(arg_dict) }}
{%- endmacro %}


{#-
    Incremental strategy `replace_customer_days` (int_clv_transaction_days): the new table holds the
    transaction days of the changed invoice days and every day of the customers whose subscriptions
    changed; those days are deleted first, including days left without a transaction.
-#}
{% macro get_incremental_replace_customer_days_sql(arg_dict) -%}
    delete from {{ arg_dict['target_relation'] }}
    where customer_id in ({{ arvo_subscription_customers_changed_since(arvo_model_watermark()) }})
        or (customer_id, transaction_date) in ({{ arvo_invoice_days_changed_since(arvo_model_watermark()) }});

    {{ _arvo_insert_new_rows(arg_dict) }}
{%- endmacro %}


{% macro _arvo_insert_new_rows(arg_dict) -%}
    {%- set columns = arg_dict['dest_columns'] | map(attribute='quoted') | join(', ') -%}
    insert into {{ arg_dict['target_relation'] }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
{%- endmacro %}
