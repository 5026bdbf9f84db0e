{#- Each KR's metric rows inside the windows of `windows` (a query giving kr_id, metric,
    start_date, window_end per KR), filtered by the KR's filter (kr_metric_days explains how), one
    row per KR, day and campaign. Written once for the scoring window (kr_metric_days) and the
    seasonal pace's window a year earlier (int_kr_pace_history). -#}
{% macro okr_filtered_kr_rows(windows) -%}
with key_results as (
    {{ windows }}
),

filter_values as (
    -- The filter values that apply to each KR: those on a column its metric has.
    select distinct
        f.kr_id,
        k.metric,
        f.column_name,
        f.filter_value
    from {{ ref('stg_okr__kr_filters') }} as f
    inner join key_results as k on f.kr_id = k.kr_id
    inner join {{ ref('int_metric_dimension_columns') }} as c
        on k.metric = c.metric and f.column_name = c.column_name
),

filter_counts as (
    select
        kr_id,
        count(distinct column_name) as filtered_column_count
    from filter_values
    group by kr_id
),

filter_matches as (
    -- Per filtered KR, the rows of its metric matching each of its filtered columns.
    select
        fv.kr_id,
        v.row_no
    from filter_values as fv
    inner join {{ ref('int_metric_dimension_values') }} as v
        on fv.metric = v.metric and fv.column_name = v.column_name and fv.filter_value = v.dim_value
    inner join filter_counts as fc on fv.kr_id = fc.kr_id
    group by fv.kr_id, v.row_no, fc.filtered_column_count
    having count(distinct v.column_name) = fc.filtered_column_count
),

kr_rows as (
    select
        k.kr_id,
        r.metric_date,
        r.dim_campaign as campaign,
        r.value,
        r.numerator,
        r.denominator
    from key_results as k
    inner join {{ ref('int_metric_rows') }} as r
        on
            k.metric = r.metric
            and k.start_date <= r.metric_date
            and k.window_end >= r.metric_date
    left join filter_counts as fc on k.kr_id = fc.kr_id
    where fc.kr_id is null

    union all

    select
        k.kr_id,
        r.metric_date,
        r.dim_campaign as campaign,
        r.value,
        r.numerator,
        r.denominator
    from filter_matches as m
    inner join key_results as k on m.kr_id = k.kr_id
    inner join {{ ref('int_metric_rows') }} as r
        on
            m.row_no = r.row_no
            and k.metric = r.metric
            and k.start_date <= r.metric_date
            and k.window_end >= r.metric_date
)

select
    kr_id,
    metric_date,
    campaign,
    {{ okr_exact_sum('value') }} as value,
    {{ okr_exact_sum('numerator') }} as numerator,
    {{ okr_exact_sum('denominator') }} as denominator
from kr_rows
group by kr_id, metric_date, campaign
{%- endmacro %}
