{#
  The scoring dates of this run, read from raw.okr_run_context (one row, written by the pipeline
  before every dbt call: pipelines/transform/run_context.py). They are data, not a dbt var, so
  that a new date never invalidates dbt's partial parsing.

  okr_as_of():      the newest scoring date of the run (the day the scorecard shows).
  okr_as_of_from(): the oldest scoring date of the run (equal to okr_as_of() on a normal night;
                    earlier in a backfill over a range).
#}
{% macro okr_as_of() -%}
    (select max(as_of_to) from {{ source('okr', 'okr_run_context') }})
{%- endmacro %}

{#- okr_as_of() as a date literal read once when the model runs, for SQL that would repeat the
    subquery many times (int_metric_rows: once per metric, each planned on its own, a third of
    its planning at 200 metrics); the subquery itself while parsing, or when the run context is
    not there to read. -#}
{% macro okr_as_of_literal() -%}
    {%- set rel = source('okr', 'okr_run_context') -%}
    {%- if execute and adapter.get_relation(
        database=rel.database, schema=rel.schema, identifier=rel.identifier) is not none -%}
        {%- set day = run_query(
            "select cast(max(as_of_to) as " ~ dbt.type_string() ~ ") from " ~ rel).columns[0].values()[0] -%}
        {%- if day is not none -%}
            {{ return("cast('" ~ day ~ "' as date)") }}
        {%- endif -%}
    {%- endif -%}
    {{ return(okr_as_of()) }}
{%- endmacro %}

{% macro okr_as_of_from() -%}
    (select min(as_of_from) from {{ source('okr', 'okr_run_context') }})
{%- endmacro %}

{#- The latest load attempt per raw table (raw.source_load_status, written by the loaders), or
    no rows when the table does not exist yet: a workspace that never recorded a load has no
    failed source. -#}
{% macro okr_load_status() -%}
    {%- set rel = source('pipeline', 'source_load_status') -%}
    {%- set existing = adapter.get_relation(database=rel.database, schema=rel.schema, identifier=rel.identifier)
        if execute else none -%}
    {%- if existing is not none -%}
        (
            select
                cast(source as {{ dbt.type_string() }}) as source,
                cast(raw_table as {{ dbt.type_string() }}) as raw_table,
                cast(status as {{ dbt.type_string() }}) as status,
                cast(attempted_at as {{ dbt.type_timestamp() }}) as attempted_at,
                cast(last_success_at as date) as last_success_on,
                cast(error as {{ dbt.type_string() }}) as error
            from {{ rel }}
        )
    {%- else -%}
        (
            {{ okr_no_rows([
                ['source', dbt.type_string()], ['raw_table', dbt.type_string()],
                ['status', dbt.type_string()], ['attempted_at', dbt.type_timestamp()],
                ['last_success_on', 'date'], ['error', dbt.type_string()]
            ]) }}
        )
    {%- endif -%}
{%- endmacro %}

{#- Whether this run rescores days that already have history (`okr backfill --replace`). -#}
{% macro okr_replace_history() -%}
    (select max(case when replace_history then 1 else 0 end) = 1 from {{ source('okr', 'okr_run_context') }})
{%- endmacro %}
