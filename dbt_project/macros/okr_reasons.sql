{#
  Machine-readable reasons (docs/scoring.md, "Reasons"): a code plus its parameters as a JSON
  object in text, built the same way on every engine. Numbers are written with 6 decimals (a
  decimal cast, so DuckDB and PostgreSQL print them identically), dates as YYYY-MM-DD.
#}

{#- A JSON string literal of a text expression (quotes, backslashes and control characters
    escaped), or null. -#}
{% macro okr_json_string(expr) -%}
    coalesce(
        '"' || replace(replace(replace(replace(replace(
            cast({{ expr }} as {{ dbt.type_string() }}),
            '\', '\\'), '"', '\"'), chr(10), '\n'), chr(13), '\r'), chr(9), '\t') || '"',
        'null'
    )
{%- endmacro %}

{#- A JSON number with 6 decimals, or null. -#}
{% macro okr_json_number(expr) -%}
    coalesce(cast(cast({{ expr }} as decimal(38, 6)) as {{ dbt.type_string() }}), 'null')
{%- endmacro %}

{#- A JSON true/false, or null. -#}
{% macro okr_json_bool(expr) -%}
    case when {{ expr }} then 'true' when not ({{ expr }}) then 'false' else 'null' end
{%- endmacro %}

{#- A JSON object from (key, kind, expr) triples; kind is string, number, date or bool. -#}
{% macro okr_json_object(fields) -%}
    {%- set parts = ["'{'"] -%}
    {%- for key, kind, expr in fields -%}
        {%- do parts.append("'" ~ ('' if loop.first else ', ') ~ '"' ~ key ~ '": ' ~ "'") -%}
        {%- if kind == 'number' -%}
            {%- do parts.append(okr_json_number(expr)) -%}
        {%- elif kind == 'bool' -%}
            {%- do parts.append(okr_json_bool(expr)) -%}
        {%- else -%}
            {%- do parts.append(okr_json_string(expr)) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do parts.append("'}'") -%}
    {{ dbt.concat(parts) }}
{%- endmacro %}
