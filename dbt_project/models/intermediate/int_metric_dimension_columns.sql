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
{{ okr_no_rows([['metric', dbt.type_string()], ['column_name', dbt.type_string()]]) }}
{%- endif %}
