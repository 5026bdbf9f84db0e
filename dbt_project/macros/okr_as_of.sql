{#
  The scoring date of this run as a SQL date literal. The pipeline passes it as the dbt var
  `as_of` (the Dagster partition key); scoring refuses to guess.
#}
{% macro okr_as_of() -%}
    {%- set as_of = var('as_of', none) -%}
    {%- if as_of is none or as_of == '' -%}
        {%- if execute -%}
            {{ exceptions.raise_compiler_error("var 'as_of' is not set: run scoring through `okr run --as-of YYYY-MM-DD` or pass --vars '{as_of: YYYY-MM-DD}'") }}
        {%- endif -%}
        {%- set as_of = '1970-01-01' -%}
    {%- endif -%}
    {%- if not modules.re.match('^\\d{4}-\\d{2}-\\d{2}$', as_of | string) -%}
        {{ exceptions.raise_compiler_error("var 'as_of' must be a date like 2026-11-26, not " ~ as_of) }}
    {%- endif -%}
    cast('{{ as_of }}' as date)
{%- endmacro %}
