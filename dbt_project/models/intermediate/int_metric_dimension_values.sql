{#
  The dimension values of every metric row as (metric, row_no, column_name, dim_value) rows, the
  shape KR filters join against: one branch per dimension name (not per metric), each over the
  metrics that have that column. A null value is kept: it matches no filter value.
#}
-- Layout is checked on one rendering of the Jinja loop (sqlfluff renders it once).
-- noqa: disable=LT02
{%- set metrics = okr_metric_models() %}
{%- set all_dims = okr_all_metric_dimensions() %}

{%- for dim in all_dims %}
select
    metric,
    row_no,
    '{{ dim }}' as column_name,
    dim_{{ dim }} as dim_value
from {{ ref('int_metric_rows') }}
where metric in (
    {%- for m in metrics if dim in okr_metric_dimensions(m) -%}
    '{{ m }}'{% if not loop.last %}, {% endif %}
    {%- endfor -%}
)
{%- if not loop.last %}
union all
{%- endif %}
{%- endfor %}
{%- if all_dims | length == 0 %}
select
    metric,
    row_no,
    cast(null as {{ dbt.type_string() }}) as column_name,
    cast(null as {{ dbt.type_string() }}) as dim_value
from {{ ref('int_metric_rows') }}
where 1 = 0
{%- endif %}
