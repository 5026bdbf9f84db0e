{#
  Each key result's metric rows inside its scoring window, filtered by its filter, one row per
  (KR, day, campaign). The window is [start, min(as_of, end)] over every scoring day of the run
  (the widest window of its definitions in force), so rows after as_of never count.

  Filters are data, applied in one pass for every metric: a row passes when, for each dimension
  column of its metric that the KR filters on, the row's value is one of the allowed values. A
  KR without such a filter takes its metric's rows as they are; a filtered KR keeps a row when
  the number of its filtered columns the row matches equals the number it filters on.
#}

with key_results as (
    select
        kr_id,
        metric,
        min(start_date) as start_date,
        max(window_end) as window_end
    from {{ ref('int_kr_definitions') }}
    where start_date <= as_of
    group by kr_id, metric
),

filtered_columns as (
    -- The filtered columns that apply to each KR: those its metric has.
    select distinct
        f.kr_id,
        f.column_name
    from {{ ref('stg_okr__kr_filters') }} as f
    inner join key_results as k on f.kr_id = k.kr_id
    inner join {{ ref('int_metric_dimension_columns') }} as c
        on k.metric = c.metric and f.column_name = c.column_name
),

filter_counts as (
    select
        kr_id,
        count(*) as filtered_column_count
    from filtered_columns
    group by kr_id
),

candidates as (
    select
        k.kr_id,
        r.metric,
        r.row_no,
        r.metric_date,
        r.dim_campaign as campaign,
        r.value,
        r.numerator,
        r.denominator,
        fc.filtered_column_count
    from key_results as k
    inner join {{ ref('int_metric_rows') }} as r
        on
            k.metric = r.metric
            and k.start_date <= r.metric_date
            and k.window_end >= r.metric_date
    left join filter_counts as fc on k.kr_id = fc.kr_id
),

filter_matches as (
    -- Per filtered KR and row, how many of its filtered columns the row matches.
    select
        c.kr_id,
        c.row_no,
        count(distinct v.column_name) as matched_column_count
    from candidates as c
    inner join {{ ref('int_metric_dimension_values') }} as v
        on c.metric = v.metric and c.row_no = v.row_no
    inner join {{ ref('stg_okr__kr_filters') }} as f
        on c.kr_id = f.kr_id and v.column_name = f.column_name and v.dim_value = f.filter_value
    where c.filtered_column_count is not null
    group by c.kr_id, c.row_no
),

passing as (
    select c.*
    from candidates as c
    left join filter_matches as m on c.kr_id = m.kr_id and c.row_no = m.row_no
    where c.filtered_column_count is null or m.matched_column_count = c.filtered_column_count
)

select
    kr_id,
    metric_date,
    campaign,
    {{ okr_exact_sum('value') }} as value,
    {{ okr_exact_sum('numerator') }} as numerator,
    {{ okr_exact_sum('denominator') }} as denominator
from passing
group by kr_id, metric_date, campaign
