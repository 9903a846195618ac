{#-
    Reporting currency is EUR: amount_eur = amount / rate, with `rate` in units of the currency per
    1 EUR (ECB style). Dividing by a null rate yields null, which the `money_` tests turn into a loud
    failure: a currency without a rate never becomes a silent zero.
-#}
{% macro arvo_to_eur(amount, rate) -%}
    cast({{ amount }} / {{ rate }} as decimal(18, 4))
{%- endmacro %}


{#-
    Join condition picking the latest rate on or before `date_expr` from a relation with
    (currency, valid_from, valid_until) ranges as built by `int_fx_rates` (valid_until exclusive,
    null for the latest rate). A plain range join, so it stays portable across warehouses.
-#}
{% macro arvo_fx_rate_on(fx_alias, currency_expr, date_expr) -%}
    {{ fx_alias }}.currency = {{ currency_expr }}
    and {{ fx_alias }}.valid_from <= {{ date_expr }}
    and ({{ fx_alias }}.valid_until is null or {{ date_expr }} < {{ fx_alias }}.valid_until)
{%- endmacro %}


{#-
    `left join <fx_relation> on <latest rate on or before date_expr>`. DuckDB has an ASOF join that
    does this in one sorted pass (2M invoices: seconds instead of the range join's quadratic work per
    currency); other warehouses get the portable range join on the validity ranges.
-#}
{% macro arvo_fx_join(fx_relation, currency_expr, date_expr) -%}
    {{ return(adapter.dispatch('arvo_fx_join', 'arvo')(fx_relation, currency_expr, date_expr)) }}
{%- endmacro %}

{% macro default__arvo_fx_join(fx_relation, currency_expr, date_expr) -%}
    left join {{ fx_relation }}
        on {{ arvo_fx_rate_on(fx_relation, currency_expr, date_expr) }}
{%- endmacro %}

{% macro duckdb__arvo_fx_join(fx_relation, currency_expr, date_expr) -%}
    asof left join {{ fx_relation }}
        on {{ fx_relation }}.currency = {{ currency_expr }}
        and {{ date_expr }} >= {{ fx_relation }}.valid_from
{%- endmacro %}
