{#
  A seasonal pace's history (docs/scoring.md, "Pace"): each seasonal progress KR's metric rows,
  through its own filter, over the same calendar window one year earlier, and never on or after
  its start (a period longer than a year does not read its own days as history). One row per KR,
  day and campaign, like kr_metric_days.
#}
{%- set windows %}
    select
        kr_id,
        metric,
        min(rows_from) as start_date,
        max(
            case
                when {{ dbt.dateadd('year', -1, 'end_date') }} < start_date
                    then cast({{ dbt.dateadd('year', -1, 'end_date') }} as date)
                else cast({{ dbt.dateadd('day', -1, 'start_date') }} as date)
            end
        ) as window_end
    from {{ ref('int_kr_definitions') }}
    where pace = 'seasonal' and kr_type = 'progress' and start_date <= as_of
    group by kr_id, metric
{%- endset %}

{{ okr_filtered_kr_rows(windows) }}
