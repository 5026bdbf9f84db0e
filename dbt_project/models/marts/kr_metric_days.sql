{#
  Each key result's metric rows inside its scoring window, filtered by its filter, one row per
  (KR, day, campaign). The window is [start, min(as_of, end)] over every scoring day of the run
  (the widest window of its definitions in force), so rows after as_of never count.

  Filters are data, applied in one pass for every metric: a row passes when, for each dimension
  column of its metric that the KR filters on, the row's value is one of the allowed values. A
  KR without such a filter takes its metric's rows in its window as they are. A filtered KR
  starts from its filter values, not from every row of its window: each value joins only the
  rows that carry it (an equality join), and a row passes when the number of its filtered
  columns it matches equals the number the KR filters on. So the work grows with the matching
  rows, not with KRs x window rows x dimension columns.
#}

{%- set windows %}
    select
        kr_id,
        metric,
        min(start_date) as start_date,
        max(window_end) as window_end
    from {{ ref('int_kr_definitions') }}
    where start_date <= as_of
    group by kr_id, metric
{%- endset %}

{{ okr_filtered_kr_rows(windows) }}
