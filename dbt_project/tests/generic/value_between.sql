{#- Generic test: every non-null value lies in [min_value, max_value] (no dbt packages available). -#}
{% test value_between(model, column_name, min_value, max_value) %}

select {{ column_name }} as failing_value
from {{ model }}
where {{ column_name }} < {{ min_value }}
    or {{ column_name }} > {{ max_value }}

{% endtest %}
