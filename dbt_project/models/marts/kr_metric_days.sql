{#
  Each key result's metric rows inside its scoring window, filtered by its filter, one row per
  (KR, day, campaign). The window is [start, min(as_of, end)], so rows after as_of never count
  and a past date rescores exactly as it stood.

  A filter is data (stg_okr__kr_filters), so one query per metric serves every KR on it: a row
  passes when, for each dimension column, the KR has no filter on it or the row's value is one
  of the allowed values.
#}
-- Layout is checked on one rendering of the Jinja loop (sqlfluff renders it once), so indentation
-- inside the loop and CTEs that only the loop uses would be misjudged.
-- noqa: disable=LT02, ST03
{%- set metrics = okr_metric_models() %}

with key_results as (
    select
        kr_id,
        metric,
        start_date,
        case when end_date < {{ okr_as_of() }} then end_date else {{ okr_as_of() }} end as window_end
    from {{ ref('stg_okr__key_results') }}
    where start_date <= {{ okr_as_of() }}
),

filters as (
    select
        kr_id,
        column_name,
        filter_value
    from {{ ref('stg_okr__kr_filters') }}
),

metric_rows as (
    {%- for m in metrics %}
    {%- set dims = okr_metric_dimensions(m) %}
    {%- set ratio = okr_metric_has_ratio_parts(m) %}
    select
        k.kr_id,
        r.metric_date,
        {% if 'campaign' in dims -%}
        cast(r.campaign as {{ dbt.type_string() }}) as campaign,
        {%- else -%}
        cast(null as {{ dbt.type_string() }}) as campaign,
        {%- endif %}
        cast(r.value as {{ okr_double() }}) as value,
        {% if ratio -%}
        cast(r.numerator as {{ okr_double() }}) as numerator,
        cast(r.denominator as {{ okr_double() }}) as denominator
        {%- else -%}
        cast(null as {{ okr_double() }}) as numerator,
        cast(null as {{ okr_double() }}) as denominator
        {%- endif %}
    from {{ ref(m) }} as r
    inner join key_results as k
        on
            k.metric = '{{ m }}'
            and r.metric_date >= k.start_date
            and r.metric_date <= k.window_end
    where
        {%- for dim in dims %}
        (
            not exists (
                select 1 from filters as f
                where f.kr_id = k.kr_id and f.column_name = '{{ dim }}'
            )
            or cast(r.{{ dim }} as {{ dbt.type_string() }}) in (
                select f.filter_value from filters as f
                where f.kr_id = k.kr_id and f.column_name = '{{ dim }}'
            )
        )
        and
        {%- endfor %}
        1 = 1
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
    {%- if metrics | length == 0 %}
    select
        cast(null as {{ dbt.type_string() }}) as kr_id,
        cast(null as date) as metric_date,
        cast(null as {{ dbt.type_string() }}) as campaign,
        cast(null as {{ okr_double() }}) as value,
        cast(null as {{ okr_double() }}) as numerator,
        cast(null as {{ okr_double() }}) as denominator
    where 1 = 0
    {%- endif %}
)

select
    kr_id,
    metric_date,
    campaign,
    sum(value) as value,
    sum(numerator) as numerator,
    sum(denominator) as denominator
from metric_rows
group by kr_id, metric_date, campaign
