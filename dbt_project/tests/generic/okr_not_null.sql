{#- Fails for each row with a null in any of `columns`; `null_columns` names which. One query
    for all of a model's required columns: a `not_null` test per column was a dbt node (and a
    Dagster check) each, most of the scoring step's test time. -#}
{% test okr_not_null(model, columns) %}
    select
        concat_ws(
            ', '
            {%- for column in columns %},
            case when {{ column }} is null then '{{ column }}' end
            {%- endfor %}
        ) as null_columns,
        *
    from {{ model }}
    where
        {%- for column in columns %}
        {% if not loop.first %}or {% endif %}{{ column }} is null
        {%- endfor %}
{% endtest %}
