{#- Generic data tests of the money models (no dbt packages available: written here). -#}

{#- No two rows share the same values of `combination` (a list of columns). -#}
{% test money_unique_combination(model, combination) %}
    select {{ combination | join(', ') }}, count(*) as occurrences
    from {{ model }}
    group by {{ combination | join(', ') }}
    having count(*) > 1
{% endtest %}


{#- Every row satisfies `expression` (rows where it is false or null fail). -#}
{% test money_expression_is_true(model, expression, column_name=none) %}
    select *
    from {{ model }}
    where not coalesce(({{ expression }}), false)
{% endtest %}


{#- The column lies in [min_value, max_value] where it is not null. -#}
{% test money_between(model, column_name, min_value, max_value) %}
    select *
    from {{ model }}
    where {{ column_name }} < {{ min_value }} or {{ column_name }} > {{ max_value }}
{% endtest %}
