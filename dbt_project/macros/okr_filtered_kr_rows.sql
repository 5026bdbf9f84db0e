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

column_matches as (
    -- Per filtered KR, the rows of its metric whose value in a filtered column is one of the
    -- KR's values: one equality join per dimension name straight on int_metric_rows (not on an
    -- unpivoted copy of every row's every dimension value, which cost more than all the rest).
    {%- for dim in okr_all_metric_dimensions() %}
    select
        fv.kr_id,
        r.row_no,
        fv.column_name
    from filter_values as fv
    inner join {{ ref('int_metric_rows') }} as r
        on fv.metric = r.metric and fv.filter_value = r.dim_{{ dim }}
    where fv.column_name = '{{ dim }}'
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- else %}
    {{ okr_no_rows([['kr_id', dbt.type_string()], ['row_no', dbt.type_bigint()], ['column_name', dbt.type_string()]]) }}
    {%- endfor %}
),

filter_matches as (
    -- The rows that match every filtered column of their KR.
    select
        cm.kr_id,
        cm.row_no
    from column_matches as cm
    inner join filter_counts as fc on cm.kr_id = fc.kr_id
    group by cm.kr_id, cm.row_no, fc.filtered_column_count
    having count(distinct cm.column_name) = fc.filtered_column_count
),

filtered_rows as materialized (
    -- The matching rows by their number first. Materialized: inlined, the planner joined every
    -- KR to its whole window of rows before the row numbers (millions of rows at scale).
    select
        m.kr_id,
        r.metric,
        r.metric_date,
        r.dim_campaign,
        r.value,
        r.numerator,
        r.denominator
    from filter_matches as m
    inner join {{ ref('int_metric_rows') }} as r on m.row_no = r.row_no
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
    from filtered_rows as r
    inner join key_results as k
        on
            r.kr_id = k.kr_id
            and r.metric = k.metric
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
