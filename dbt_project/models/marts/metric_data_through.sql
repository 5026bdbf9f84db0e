{#
  The latest day each metric has data for, counting only rows on or before as_of and ignoring
  KR filters (a filter that matches nothing today is not the same as a source gone quiet).
  Check-ins are one metric shared by many KRs, so their freshness is per KR (kr_id).
#}
-- Layout is checked on one rendering of the Jinja loop (sqlfluff renders it once), so indentation
-- inside the loop and CTEs that only the loop uses would be misjudged.
-- noqa: disable=LT02, ST03
{%- set metrics = okr_metric_models() %}

{%- for m in metrics %}
select
    '{{ m }}' as metric,
    {% if m == 'checkins' -%}
    cast(kr_id as {{ dbt.type_string() }}) as kr_id,
    {%- else -%}
    cast(null as {{ dbt.type_string() }}) as kr_id,
    {%- endif %}
    max(metric_date) as data_through
from {{ ref(m) }}
where metric_date <= {{ okr_as_of() }}
{%- if m == 'checkins' %}
group by kr_id
{%- endif %}
{%- if not loop.last %}
union all
{%- endif %}
{%- endfor %}
{%- if metrics | length == 0 %}
select
    cast(null as {{ dbt.type_string() }}) as metric,
    cast(null as {{ dbt.type_string() }}) as kr_id,
    cast(null as date) as data_through
where 1 = 0
{%- endif %}
