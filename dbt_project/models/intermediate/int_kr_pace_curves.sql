{#
  The expected-progress curve of every KR with a seasonal or monthly pace (docs/scoring.md,
  "Pace"): for each definition in force (period, pace, and for monthly shares the run day that
  saw them) and each day of its period, the cumulative share of the period's expected progress
  by the end of that day. The scoring reads it at window_end; the KR page draws all of it.

  Each day adds an increment and the share is their running (exact) sum:
  - seasonal: last year's value on the same calendar day (day of year; a leap day counts with
    the 1st of March) over last year's total for the whole window;
  - monthly: the month's share spread evenly over the period's days in that month.
  A seasonal pace without last year's history (no rows, or a total of 0 or less), or with a
  period longer than a year, falls back to the linear share and says why in pace_warning.
  Linear KRs have no rows here: their share is elapsed_days / total_days, as always.
#}
{{ config(materialized='table') }}  -- read by the scoring, the forecast and the KR chart

with recursive variants as (
    select distinct
        kr_id,
        pace,
        start_date,
        end_date,
        pace_seen_on
    from {{ ref('int_kr_definitions') }}
    where kr_type = 'progress' and pace in ('seasonal', 'monthly') and start_date <= as_of
),

curve_days as (
    select
        kr_id,
        pace,
        start_date,
        end_date,
        pace_seen_on,
        start_date as curve_date
    from variants
    union all
    select
        kr_id,
        pace,
        start_date,
        end_date,
        pace_seen_on,
        cast({{ dbt.dateadd('day', 1, 'curve_date') }} as date) as curve_date
    from curve_days
    where curve_date < end_date
),

history_days as (
    select
        kr_id,
        metric_date,
        {{ okr_exact_sum('value') }} as value
    from {{ ref('int_kr_pace_history') }}
    group by kr_id, metric_date
),

day_values as (
    -- Each curve day's raw increment: last year's value(s) for seasonal, the month's share for monthly.
    select
        c.kr_id,
        c.pace,
        c.start_date,
        c.end_date,
        c.pace_seen_on,
        c.curve_date,
        max(s.share) as month_share,
        {{ okr_exact_sum('h.value') }} as history_value,
        count(h.value) as history_rows
    from curve_days as c
    left join history_days as h
        on
            c.pace = 'seasonal'
            and c.kr_id = h.kr_id
            and cast({{ dbt.dateadd('year', -1, dbt.dateadd('day', -1, 'c.curve_date')) }} as date) < h.metric_date
            and cast({{ dbt.dateadd('year', -1, 'c.curve_date') }} as date) >= h.metric_date
            and c.start_date > h.metric_date
    left join {{ ref('stg_okr__kr_pace_shares') }} as s
        on
            c.pace = 'monthly'
            and c.kr_id = s.kr_id
            and c.pace_seen_on = s.seen_on
            and cast({{ dbt.date_trunc('month', 'c.curve_date') }} as date) = s.month_start
    group by c.kr_id, c.pace, c.start_date, c.end_date, c.pace_seen_on, c.curve_date
),

{%- set variant = 'kr_id, pace, start_date, end_date, pace_seen_on' %}

totals as (
    select
        *,
        {{ okr_exact_window_sum('history_value', variant) }} as history_total,
        sum(history_rows) over (partition by {{ variant }}) as history_total_rows,
        -- The period's days in the same month, over which a monthly share is spread.
        count(*) over (
            partition by {{ variant }}, cast({{ dbt.date_trunc('month', 'curve_date') }} as date)
        ) as month_days
    from day_values
),

checked as (
    select
        *,
        case
            when pace <> 'seasonal' then null
            when cast({{ dbt.dateadd('year', -1, 'end_date') }} as date) >= start_date then 'period_over_a_year'
            when history_total_rows = 0 then 'no_history'
            when history_total <= 0 then 'history_not_positive'
        end as pace_warning,
        {{ okr_days_inclusive('start_date', 'end_date') }} as total_days
    from totals
),

increments as (
    select
        *,
        case
            when pace_warning is not null then null
            when pace = 'seasonal' then coalesce(history_value, 0) / history_total
            else month_share / month_days
        end as increment
    from checked
)

select
    kr_id,
    pace,
    start_date,
    end_date,
    pace_seen_on,
    curve_date,
    case when pace_warning is null then pace else 'linear' end as pace_method,
    pace_warning,
    history_total as pace_history_total,
    case
        -- The last day completes the period exactly, whatever the rounding of the increments.
        when curve_date = end_date then 1.0
        when pace_warning is not null
            then cast({{ okr_days_inclusive('start_date', 'curve_date') }} as {{ okr_double() }}) / total_days
        else
            cast(
                sum(cast(increment as decimal(38, 18))) over (
                    partition by {{ variant }} order by curve_date rows between unbounded preceding and current row
                ) as {{ okr_double() }}
            )
    end as cumulative_share
from increments
