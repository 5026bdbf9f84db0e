{#- Fails for each non-null value outside [min_value, max_value]. -#}
{% test okr_between(model, column_name, min_value, max_value) %}
    select {{ column_name }} as out_of_range
    from {{ model }}
    where {{ column_name }} < {{ min_value }} or {{ column_name }} > {{ max_value }}
{% endtest %}
