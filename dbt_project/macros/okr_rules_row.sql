{#- A failing row of the okr_rules test (tests/generic/okr_rules.sql) as text:
    "kr_id=K1, as_of=2026-11-26", and ", status=late" for a value rule. -#}
{% macro okr_rules_row(key, value_column=none) -%}
    {%- set columns = key + ([value_column] if value_column and value_column not in key else []) -%}
    concat_ws(', '
    {%- for column in columns %},
        concat('{{ column }}=', coalesce(cast({{ column }} as {{ dbt.type_string() }}), 'null'))
    {%- endfor %})
{%- endmacro %}
