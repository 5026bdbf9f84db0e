{#-
    DuckDB's table and view materializations, in one statement each.

    Why: dbt's own build a model under a temporary name, rename the old one away, rename the new
    one in, commit and drop the old one, with catalog queries for indexes and foreign keys between:
    seven statements for a table, six for a view. On DuckDB each statement costs dbt about 5 ms of
    its own Python (events, connection handling) while the SQL of most of our models takes a few
    milliseconds, so a scoring step spent more time on this bookkeeping than on its SQL. DuckDB replaces a table
    or a view in one transactional statement (`create or replace`), so here a model is
    BEGIN, `create or replace ... as`, COMMIT. A failed build rolls back and leaves the relation as
    it was, as before.

    Only the DuckDB target uses these (`adapter='duckdb'`); PostgreSQL keeps dbt's own. A model that
    asks for what these leave out (an enforced contract, grants, persisted docs, indexes, a SQL
    header, DuckDB partitioning or sorting, Python) is built by dbt-duckdb's or dbt's own
    materialization, unchanged.
-#}

{% macro okr_wants_builtin_materialization() -%}
    {%- set contract = config.get('contract') -%}
    {{- return(
        model['language'] != 'sql'
        or (contract is not none and contract.enforced)
        or config.get('grants')
        or config.get('persist_docs')
        or config.get('indexes')
        or config.get('sql_header')
        or config.get('partitioned_by')
        or config.get('sorted_by')
    ) -}}
{%- endmacro %}

{% macro okr_create_or_replace(kind) -%}
    {%- set existing = load_cached_relation(this) -%}
    {%- set target = this.incorporate(type=kind) -%}
    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}
    {#- `create or replace` replaces only a relation of its own kind: a model that changed kind
        drops the old one first, in the same statement (and so the same transaction). -#}
    {%- set other_kind = existing is not none and existing.type != kind -%}
    {% call statement('main') -%}
        {% if other_kind -%}
            drop {{ existing.type }} {{ existing }};
        {% endif -%}
        create or replace {{ kind }} {{ target }} as (
            {{ sql }}
        )
    {%- endcall %}
    {%- if other_kind -%}
        {% do adapter.cache_dropped(existing) %}
    {%- endif %}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {{ adapter.commit() }}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
    {{ return({'relations': [target]}) }}
{%- endmacro %}

{% materialization table, adapter='duckdb', supported_languages=['sql', 'python'] %}
    {%- if okr_wants_builtin_materialization() -%}
        {{ return(dbt.materialization_table_duckdb()) }}
    {%- endif -%}
    {{ return(okr_create_or_replace('table')) }}
{% endmaterialization %}

{% materialization view, adapter='duckdb' %}
    {%- if okr_wants_builtin_materialization() -%}
        {{ return(dbt.materialization_view_default()) }}
    {%- endif -%}
    {{ return(okr_create_or_replace('view')) }}
{% endmaterialization %}
