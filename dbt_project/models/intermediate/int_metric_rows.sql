{#
  Every metric's rows that some KR's window can reach (from the earliest start of a KR on the
  metric, or a year before it for a seasonal pace, up to okr_as_of(); history before that is
  never read), in one narrow table: the metric's name, a row number, the day,
  value/numerator/denominator, and one column per dimension name of any metric (null where a
  metric has no such column). One plain UNION ALL branch per metric that a KR reads, without
  joins, its dates bounded by literals read when the model runs (okr_metric_first_days,
  okr_as_of_literal), so the SQL stays cheap to plan at any number of metrics; KR filters are
  applied as data in kr_metric_days. A table, so the row numbers are stable for its readers.
  The numbers only tell rows apart (the readers join on them and sum exactly): the branches are
  written in parallel, in no set order (okr_keep_insertion_order; about 0.4 s at 200 metrics).
#}
{{ config(
    materialized='table',
    pre_hook="{{ okr_keep_insertion_order(false) }}",
    post_hook="{{ okr_keep_insertion_order(true) }}"
) }}
-- Layout is checked on one rendering of the Jinja loop (sqlfluff renders it once).
-- noqa: disable=LT02, ST03, ST06
{%- set metrics = okr_metric_models() %}
{%- set all_dims = okr_all_metric_dimensions() %}
{%- set first_days = okr_metric_first_days(ref('int_kr_definitions')) %}
{%- set as_of = okr_as_of_literal() %}
{#- The type names once: a macro call per column of every branch was most of the compile time. #}
{%- set text = dbt.type_string() %}
{%- set double = okr_double() %}
{#- Only the metrics some KR reads: a branch that reads nothing still costs its views' planning. -#}
{%- set branches = metrics if first_days is none else metrics | select('in', first_days) | list %}

with metric_windows as (
    select
        metric,
        min(rows_from) as first_day
    from {{ ref('int_kr_definitions') }}
    group by metric
),

metric_rows as (
    {%- for m in branches %}
    {%- set dims = okr_metric_dimensions(m) %}
    {%- set ratio = okr_metric_has_ratio_parts(m) %}
    select
        '{{ m }}' as metric,
        metric_date,
        cast(value as {{ double }}) as value,
        {% if ratio -%}
        cast(numerator as {{ double }}) as numerator,
        cast(denominator as {{ double }}) as denominator
        {%- else -%}
        cast(null as {{ double }}) as numerator,
        cast(null as {{ double }}) as denominator
        {%- endif %}
        {%- for dim in all_dims %},
        {% if dim in dims -%}
        cast({{ dim }} as {{ text }})
        {%- else -%}
        cast(null as {{ text }})
        {%- endif %} as dim_{{ dim }}
        {%- endfor %}
    from {{ ref(m) }}
    where
        metric_date <= {{ as_of }}
        {%- if first_days is none %}
        and metric_date >= (select w.first_day from metric_windows as w where w.metric = '{{ m }}')
        {%- else %}
        and metric_date >= cast('{{ first_days[m] }}' as date)
        {%- endif %}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
    {%- if branches | length == 0 %}
    {#- The same columns as a branch (no KR reads any metric, or there are none). #}
    {%- set columns = [
        ['metric', text], ['metric_date', 'date'], ['value', double],
        ['numerator', double], ['denominator', double]
    ] %}
    {%- for dim in all_dims %}{% do columns.append(['dim_' ~ dim, text]) %}{% endfor %}
    {{ okr_no_rows(columns) }}
    {%- endif %}
)

select
    row_number() over () as row_no,
    *
from metric_rows
