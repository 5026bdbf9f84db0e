{#
  The metric models of the project, as the pipeline lists them (every .sql file in
  models/metrics). They arrive as a var because dbt cannot discover refs from the file system,
  and a ref must be known at parse time to order the build.
#}
{% macro okr_metric_models() -%}
    {{ return(var('metric_models', [])) }}
{%- endmacro %}

{#- The documented columns of a metric model, lower-cased (the okr_metric_columns_documented test
    keeps them true); empty while parsing, when the graph is not available yet. -#}
{% macro okr_metric_columns(metric_name) -%}
    {%- set cols = [] -%}
    {%- if execute -%}
        {#- By its id: a scan of every graph node per call made the per-metric loops quadratic
            (seconds of compiling at 200 metrics); the scan stays for a model of a package. -#}
        {%- set node = graph.nodes.get('model.' ~ project_name ~ '.' ~ metric_name)
            or graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
            | selectattr('name', 'equalto', metric_name) | first -%}
        {%- for col in node.columns.keys() -%}
            {%- do cols.append(col | lower) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(cols) }}
{%- endmacro %}

{% macro okr_metric_dimensions(metric_name) -%}
    {{ return(okr_metric_columns(metric_name)
        | reject('in', ['metric_date', 'value', 'numerator', 'denominator']) | list) }}
{%- endmacro %}

{% macro okr_metric_has_ratio_parts(metric_name) -%}
    {%- set cols = okr_metric_columns(metric_name) -%}
    {{ return('numerator' in cols and 'denominator' in cols) }}
{%- endmacro %}

{#- The sources a metric reads, found from the dbt lineage (metric -> metrics it refs -> staging ->
    source): one entry per staging model on the way, with its `meta.okr_freshness_column` (the
    date that says how far its data reaches; none when the model does not declare one) and the
    raw tables it reads, and its relation (a ref() decided at run time would not be known to
    dbt's parse; the metric models already order the build after staging). Empty while parsing, when the graph is not available yet. -#}
{% macro okr_metric_lineage(metric_name) -%}
    {%- set found = [] -%}
    {%- if execute -%}
        {%- set todo = ['model.' ~ project_name ~ '.' ~ metric_name] -%}
        {%- set seen = [] -%}
        {#- Jinja has no while loop: a walk of at most 50 nodes is far deeper than any metric. -#}
        {%- for _ in range(50) if todo | length > 0 -%}
            {%- set node_id = todo.pop() -%}
            {%- if node_id not in seen and node_id in graph.nodes -%}
                {%- do seen.append(node_id) -%}
                {%- set node = graph.nodes[node_id] -%}
                {%- set parents = node.depends_on.nodes -%}
                {%- if node.fqn[1] == 'staging' -%}
                    {%- set raw_tables = [] -%}
                    {%- for p in parents if p in graph.sources -%}
                        {%- do raw_tables.append(graph.sources[p].identifier) -%}
                    {%- endfor -%}
                    {%- do found.append({
                        'model': node.name,
                        'relation': api.Relation.create(
                            database=node.database, schema=node.schema, identifier=node.alias),
                        'freshness_column': node.config.meta.get('okr_freshness_column')
                            or node.meta.get('okr_freshness_column'),
                        'raw_tables': raw_tables}) -%}
                {%- else -%}
                    {%- for p in parents if p.startswith('model.') -%}
                        {%- do todo.append(p) -%}
                    {%- endfor -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(found) }}
{%- endmacro %}

{#- Every dimension column of any metric, once, sorted (the wide layout of int_metric_rows). -#}
{% macro okr_all_metric_dimensions() -%}
    {%- set dims = [] -%}
    {%- for m in okr_metric_models() -%}
        {%- for dim in okr_metric_dimensions(m) if dim not in dims -%}
            {%- do dims.append(dim) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(dims | sort) }}
{%- endmacro %}

{#- The first day any KR's window reaches, per metric, as {metric: 'YYYY-MM-DD'}, read when the
    model runs (never at parse time, so the parse stays stable). int_metric_rows bounds each
    metric's branch with it as a literal: a scalar subquery per branch (one per metric) made
    DuckDB plan int_kr_definitions once per metric, seconds at 200 metrics. `none` when the
    definitions are not built yet (compiling without a warehouse, e.g. sqlfluff): then the
    caller falls back to the subquery. -#}
{% macro okr_metric_first_days(definitions) -%}
    {%- if not execute -%}{{ return(none) }}{%- endif -%}
    {%- set relation = adapter.get_relation(
        database=definitions.database, schema=definitions.schema, identifier=definitions.identifier) -%}
    {%- if relation is none -%}{{ return(none) }}{%- endif -%}
    {%- set result = run_query(
        "select metric, cast(min(rows_from) as " ~ dbt.type_string() ~ ") from " ~ relation
        ~ " group by metric") -%}
    {%- set first_days = {} -%}
    {%- for row in result.rows -%}
        {%- do first_days.update({row[0]: row[1]}) -%}
    {%- endfor -%}
    {{ return(first_days) }}
{%- endmacro %}
