{#-
    The date the marts speak of. `--var as_of_date=YYYY-MM-DD` pins it (reproducible reports, tests);
    otherwise it is the latest date on which the data records something that happened: an invoice, a
    survey response, a subscription recorded or changed (its updated_at). A subscription's start date is
    not one: a contract signed today may start next month, and its start would carry the as-of date (current
    MRR, lifecycle status, known outcomes) into the future. Returns a SQL expression of type date.

    The date is read from the data once per build, by int_as_of_dates (from_data=true); every other model
    reads it from that one-row table. So all models of a build speak of the same date, and none scans the
    raw invoices, responses and subscriptions again for it (0.6 s per use on the large set).
-#}
{% macro arvo_as_of_date(from_data=false) -%}
    {%- set pinned = var('as_of_date', none) -%}
    {%- if pinned -%}
        cast('{{ pinned }}' as date)
    {%- elif from_data -%}
        (
            select coalesce(max(latest_date), current_date)
            from (
                select max(cast(invoice_date as date)) as latest_date from {{ source('revenue', 'invoices') }}
                union all
                select max(cast(updated_at as date)) as latest_date from {{ source('revenue', 'subscriptions') }}
                union all
                select max(cast(responded_at as date)) as latest_date from {{ source('survey', 'responses') }}
            ) as latest_dates
        )
    {%- else -%}
        (select as_of_date from {{ ref('int_as_of_dates') }})
    {%- endif -%}
{%- endmacro %}


{#- The first day of the as-of month (from_data: as arvo_as_of_date; a data test's expression, whose refs
    dbt does not record, reads the data). -#}
{% macro arvo_as_of_month(from_data=false) -%}
    cast({{ dbt.date_trunc('month', arvo_as_of_date(from_data)) }} as date)
{%- endmacro %}


{#-
    The as-of date of the lifetime-value models: `--var clv_as_of=YYYY-MM-DD` if set, else a pinned
    `as_of_date`, else the last invoice date (the mart contract's default). Read from the data by
    int_as_of_dates only (from_data=true), as arvo_as_of_date.
-#}
{% macro arvo_clv_as_of_date(from_data=false) -%}
    {%- set clv_pinned = var('clv_as_of', none) -%}
    {%- set pinned = var('as_of_date', none) -%}
    {%- if clv_pinned -%}
        cast('{{ clv_pinned }}' as date)
    {%- elif pinned -%}
        cast('{{ pinned }}' as date)
    {%- elif from_data -%}
        (
            select coalesce(max(cast(invoice_date as date)), current_date)
            from {{ source('revenue', 'invoices') }}
        )
    {%- else -%}
        (select clv_as_of_date from {{ ref('int_as_of_dates') }})
    {%- endif -%}
{%- endmacro %}


{#-
    The as-of date of the contractual (sBG) model: `--var clv_as_of` if set, a calibration date as for the
    order customers (a holdout after it then tests both models), else the as-of date: subscription data
    runs to the as-of month of fct_mrr, not to the last invoice.
-#}
{% macro arvo_contract_clv_as_of_date() -%}
    {%- set clv_pinned = var('clv_as_of', none) -%}
    {%- if clv_pinned -%}
        cast('{{ clv_pinned }}' as date)
    {%- else -%}
        {{ arvo_as_of_date() }}
    {%- endif -%}
{%- endmacro %}


{#- The first day of the contractual model's as-of month. -#}
{% macro arvo_contract_clv_as_of_month() -%}
    cast({{ dbt.date_trunc('month', arvo_contract_clv_as_of_date()) }} as date)
{%- endmacro %}
