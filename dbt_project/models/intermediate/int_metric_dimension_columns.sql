{#
  Which dimension columns each metric has (from the documented metric columns), as one VALUES
  list: a KR filter on a column its metric has must match; one on another column does not apply.
#}
-- Layout is checked on one rendering of the Jinja branches (sqlfluff renders both).
-- noqa: disable=LT02
{%- set pairs = [] %}
{%- for m in okr_metric_models() %}
    {%- for dim in okr_metric_dimensions(m) %}
        {%- do pairs.append("('" ~ m ~ "', '" ~ dim ~ "')") %}
    {%- endfor %}
{%- endfor %}

{%- if pairs | length > 0 %}
select
    metric,
    column_name
from (values {{ pairs | join(', ') }}) as pairs (metric, column_name)
{%- else %}
select
    cast(null as {{ dbt.type_string() }}) as metric,
    cast(null as {{ dbt.type_string() }}) as column_name
where 1 = 0
{%- endif %}
