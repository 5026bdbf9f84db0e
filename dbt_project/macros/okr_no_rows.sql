{#- A select of no rows with these typed columns, as [name, type] pairs: the branch that keeps a
    union or a CTE valid when a Jinja loop has nothing to emit (no metric, no filtered dimension,
    no lineage yet). -#}
{% macro okr_no_rows(columns) -%}
    select
    {%- for name, type in columns %}
        cast(null as {{ type }}) as {{ name }}{{ "," if not loop.last }}
    {%- endfor %}
    where 1 = 0
{%- endmacro %}
