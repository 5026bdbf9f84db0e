{#
  Every metric's rows that some KR's window can reach (from the earliest start of a KR on the
  metric, or a year before it for a seasonal pace, up to okr_as_of(); history before that is
  never read), in one narrow table: the metric's name, a row number, the day,
  value/numerator/denominator, and one column per dimension name of any metric (null where a
  metric has no such column). One plain UNION ALL branch per metric, without joins, its dates
  bounded by literals read when the model runs (okr_metric_first_days, okr_as_of_literal), so
  the SQL stays cheap to plan at any number of metrics; KR filters are applied as data in
  kr_metric_days. A table, so the row numbers are stable for its readers.
#}
{{ config(materialized='table') }}
-- Layout is checked on one rendering of the Jinja loop (sqlfluff renders it once).
-- noqa: disable=LT02, ST03, ST06
{%- set metrics = okr_metric_models() %}
{%- set all_dims = okr_all_metric_dimensions() %}
{%- set first_days = okr_metric_first_days(ref('int_kr_definitions')) %}
{%- set as_of = okr_as_of_literal() %}

with metric_windows as (
    select
        metric,
        min(rows_from) as first_day
    from {{ ref('int_kr_definitions') }}
    group by metric
),

metric_rows as (
    {%- for m in metrics %}
    {%- set dims = okr_metric_dimensions(m) %}
    {%- set ratio = okr_metric_has_ratio_parts(m) %}
    select
        '{{ m }}' as metric,
        metric_date,
        cast(value as {{ okr_double() }}) as value,
        {% if ratio -%}
        cast(numerator as {{ okr_double() }}) as numerator,
        cast(denominator as {{ okr_double() }}) as denominator
        {%- else -%}
        cast(null as {{ okr_double() }}) as numerator,
        cast(null as {{ okr_double() }}) as denominator
        {%- endif %}
        {%- for dim in all_dims %},
        {% if dim in dims -%}
        cast({{ dim }} as {{ dbt.type_string() }})
        {%- else -%}
        cast(null as {{ dbt.type_string() }})
        {%- endif %} as dim_{{ dim }}
        {%- endfor %}
    from {{ ref(m) }}
    where
        metric_date <= {{ as_of }}
        {%- if first_days is none %}
        and metric_date >= (select w.first_day from metric_windows as w where w.metric = '{{ m }}')
        {%- elif m in first_days %}
        and metric_date >= cast('{{ first_days[m] }}' as date)
        {%- else %}
        and 1 = 0
        {%- endif %}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
    {%- if metrics | length == 0 %}
    {{ okr_no_rows([
        ['metric', dbt.type_string()], ['metric_date', 'date'], ['value', okr_double()],
        ['numerator', okr_double()], ['denominator', okr_double()]
    ]) }}
    {%- endif %}
)

select
    row_number() over () as row_no,
    *
from metric_rows
