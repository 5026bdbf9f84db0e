{#
  How far each metric's data reaches on each scoring day, through its lineage (docs/scoring.md,
  "Which rows count"): the earliest freshness among the staging models it reads (metric ->
  metrics -> staging, each staging model naming its date in meta.okr_freshness_column), so a
  ratio of two sources is as fresh as the staler one. A metric whose lineage declares no
  freshness column (check-ins) falls back to its own rows (per KR for check-ins, whose rows
  carry kr_id). A metric that reads a raw table whose latest load failed names that source.
#}
{{ config(materialized='table') }}  -- read by several models and tests: computed once
-- Layout is checked on one rendering of the Jinja loop (sqlfluff renders it once).
-- noqa: disable=LT02, ST03
{%- set metrics = okr_metric_models() %}
{%- set lineage = [] %}
{%- set fresh_models = {} %}
{%- for m in metrics %}
    {%- for s in okr_metric_lineage(m) %}
        {%- for t in (s.raw_tables or [none]) %}
            {%- do lineage.append("('" ~ m ~ "', '" ~ s.model ~ "', " ~ ("'" ~ t ~ "'" if t else 'null') ~ ")") %}
        {%- endfor %}
        {%- if s.freshness_column %}
            {%- do fresh_models.update({s.model: (s.freshness_column, s.relation)}) %}
        {%- endif %}
    {%- endfor %}
{%- endfor %}
{#- Metrics whose lineage declares no freshness column (all of them while parsing, so that dbt
    records a ref to each): their own rows say how far they reach. #}
{%- set own_metrics = [] %}
{%- for m in metrics %}
    {%- if okr_metric_lineage(m) | selectattr('freshness_column') | list | length == 0 %}
        {%- do own_metrics.append(m) %}
    {%- endif %}
{%- endfor %}

with days as (
    select as_of from {{ ref('int_scoring_days') }}
),

lineage as (
    -- metric -> staging model -> raw table, from the dbt graph.
    {%- if lineage | length > 0 %}
    select
        metric,
        staging_model,
        raw_table
    from (values {{ lineage | join(', ') }}) as l (metric, staging_model, raw_table)
    {%- else %}
    {{ okr_no_rows([
        ['metric', dbt.type_string()], ['staging_model', dbt.type_string()], ['raw_table', dbt.type_string()]
    ]) }}
    {%- endif %}
),

staging_dates as (
    -- The days each staging model with a declared freshness column has data for.
    {%- for model, (col, relation) in fresh_models | dictsort %}
    select distinct
        '{{ model }}' as staging_model,
        cast({{ col }} as date) as data_date
    from {{ relation }}
    where cast({{ col }} as date) <= {{ okr_as_of() }}
    union all
    {%- endfor %}
    {{ okr_no_rows([['staging_model', dbt.type_string()], ['data_date', 'date']]) }}
),

staging_freshness as (
    select
        d.as_of,
        s.staging_model,
        max(s.data_date) as data_through
    from days as d
    inner join staging_dates as s on d.as_of >= s.data_date
    group by d.as_of, s.staging_model
),

declared as (
    -- Metrics with at least one declared freshness on their lineage: the earliest one counts,
    -- and a declared staging model with no data at all makes the metric have none.
    select distinct
        l.metric,
        l.staging_model
    from lineage as l
    where l.staging_model in (
        {%- for model in fresh_models | list | sort %}'{{ model }}'{% if not loop.last %}, {% endif %}{% endfor -%}
        {%- if fresh_models | length == 0 %}null{% endif -%}
    )
),

lineage_freshness as (
    select
        d.as_of,
        x.metric,
        cast(null as {{ dbt.type_string() }}) as kr_id,
        case when count(sf.data_through) = count(*) then min(sf.data_through) end as data_through
    from days as d
    cross join declared as x
    left join staging_freshness as sf on d.as_of = sf.as_of and x.staging_model = sf.staging_model
    group by d.as_of, x.metric
),

stalest_source as (
    -- Which staging model sets the metric's data_through (the one a stale reason names).
    select
        lf.as_of,
        lf.metric,
        min(x.staging_model) as staging_model
    from lineage_freshness as lf
    inner join declared as x on lf.metric = x.metric
    left join staging_freshness as sf on lf.as_of = sf.as_of and x.staging_model = sf.staging_model
    where sf.data_through is null or sf.data_through = lf.data_through
    group by lf.as_of, lf.metric
),

own_dates as (
    -- Metrics without a declared freshness: their own rows (per KR where rows carry kr_id).
    {%- for m in own_metrics %}
    select distinct
        '{{ m }}' as metric,
        {% if 'kr_id' in okr_metric_dimensions(m) -%}
        cast(kr_id as {{ dbt.type_string() }}) as kr_id,
        {%- else -%}
        cast(null as {{ dbt.type_string() }}) as kr_id,
        {%- endif %}
        metric_date
    from {{ ref(m) }}
    where metric_date <= {{ okr_as_of() }}
    union all
    {%- endfor %}
    {{ okr_no_rows([['metric', dbt.type_string()], ['kr_id', dbt.type_string()], ['metric_date', 'date']]) }}
),

own_freshness as (
    select
        d.as_of,
        o.metric,
        o.kr_id,
        max(o.metric_date) as data_through
    from days as d
    inner join own_dates as o on d.as_of >= o.metric_date
    group by d.as_of, o.metric, o.kr_id
),

latest_loads as (
    select
        raw_table,
        source,
        status,
        last_success_on,
        error,
        row_number() over (partition by raw_table order by attempted_at desc) as recency
    from {{ okr_load_status() }} as s
),

failed_sources as (
    -- A failed latest load makes the days from its last success on unreliable.
    select
        d.as_of,
        l.metric,
        min(f.source) as failed_source,
        min(f.error) as failed_error
    from days as d
    cross join lineage as l
    inner join latest_loads as f on l.raw_table = f.raw_table
    where f.recency = 1 and f.status = 'failed' and (f.last_success_on is null or d.as_of >= f.last_success_on)
    group by d.as_of, l.metric
),

freshness as (
    select
        lf.as_of,
        lf.metric,
        lf.kr_id,
        lf.data_through,
        s.staging_model as freshness_source
    from lineage_freshness as lf
    left join stalest_source as s on lf.as_of = s.as_of and lf.metric = s.metric
    union all
    select
        as_of,
        metric,
        kr_id,
        data_through,
        cast(null as {{ dbt.type_string() }}) as freshness_source
    from own_freshness
)

select
    f.as_of,
    f.metric,
    f.kr_id,
    f.data_through,
    f.freshness_source,
    fs.failed_source,
    fs.failed_error
from freshness as f
left join failed_sources as fs on f.as_of = fs.as_of and f.metric = fs.metric
