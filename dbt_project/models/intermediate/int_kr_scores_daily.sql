{#
  Every key result scored on every scoring day of the run (docs/scoring.md), set-based over the
  date spine: kr_scores is the newest day, the history models keep every day. The CTEs follow
  the rules step by step: timing -> window of daily values -> actual -> progress and score ->
  expected progress -> status -> forecast.
#}
{{ config(materialized='table') }}  -- read by several models and tests: computed once

with key_results as (
    select * from {{ ref('int_kr_definitions') }}
),

timing as (
    select
        *,
        {{ okr_days_inclusive('start_date', 'end_date') }} as total_days,
        {{ okr_days_inclusive('start_date', 'window_end') }} as raw_elapsed
    from key_results
),

timed as (
    select
        *,
        case
            when raw_elapsed < 0 then 0
            when raw_elapsed > total_days then total_days
            else raw_elapsed
        end as elapsed_days,
        case
            when raw_elapsed < 0 then 0
            when raw_elapsed < {{ okr_run_rate_days() }} then raw_elapsed
            else {{ okr_run_rate_days() }}
        end as run_rate_days
    from timing
),

window_days as (
    -- The KR's daily values inside its window on each scoring day.
    select
        t.as_of,
        t.kr_id,
        d.metric_date,
        d.value,
        d.numerator,
        d.denominator,
        {{ dbt.datediff('d.metric_date', 't.window_end', 'day') }} < t.run_rate_days as is_recent,  -- noqa: LT05
        -- For a min (max) threshold KR, the days whose value broke the target: the first of them
        -- is when the KR broke (a daily value of another measure breaks nothing on its own).
        case
            when
                t.kr_type = 'stay_above' and t.measure = 'min'
                and d.value < t.target - {{ okr_tolerance() }} * greatest(1, abs(t.target))
                or t.kr_type = 'stay_below' and t.measure = 'max'
                and d.value > t.target + {{ okr_tolerance() }} * greatest(1, abs(t.target))
                then d.metric_date
        end as breaking_day
    from timed as t
    inner join {{ ref('int_kr_daily_values') }} as d
        on t.kr_id = d.kr_id and t.start_date <= d.metric_date and t.window_end >= d.metric_date
),

aggregates as (
    select
        as_of,
        kr_id,
        {{ okr_measure_aggregates() }},
        -- Run rate for the forecast: the last run_rate_days days of the window.
        {{ okr_exact_sum('case when is_recent then value end') }} as recent_sum,
        min(breaking_day) as first_broken_on
    from window_days
    group by as_of, kr_id
),

latest_days as (
    select
        as_of,
        kr_id,
        value,
        row_number() over (partition by as_of, kr_id order by metric_date desc) as recency
    from window_days
),

freshness as (
    select
        t.as_of,
        t.kr_id,
        max(f.data_through) as data_through,
        min(f.freshness_source) as freshness_source,
        min(f.failed_source) as failed_source,
        min(f.failed_error) as failed_error
    from timed as t
    inner join {{ ref('int_metric_freshness') }} as f
        on t.as_of = f.as_of and t.metric = f.metric and (f.kr_id is null or t.kr_id = f.kr_id)
    group by t.as_of, t.kr_id
),

blocked as (
    select
        metric,
        min(reason) as reason
    from {{ ref('stg_okr__blocked_metrics') }}
    group by metric
),

actuals as (
    select
        t.*,
        a.days_with_rows,
        a.recent_sum,
        a.first_broken_on,
        f.data_through,
        f.freshness_source,
        f.failed_source,
        f.failed_error,
        b.reason as blocked_reason,
        -- A check-in override replaces the actual until the next data day ("Overrides").
        case
            when t.as_of < t.start_date then null
            when o.override_value is not null then o.override_value
            {{ okr_measure_actual('t.measure', 'a', 'l.value') }}
        end as actual,
        -- The pace (docs/scoring.md, "Pace"): a seasonal or monthly curve's share at window_end;
        -- linear KRs (and a curve's fallback) take elapsed_days / total_days.
        case when t.kr_type = 'progress' then coalesce(pc.pace_method, 'linear') end as pace_method,
        pc.pace_warning,
        pc.cumulative_share as pace_share,
        case
            when t.as_of < t.start_date then null
            {{ okr_measure_actual('t.measure', 'a', 'l.value') }}
        end as data_actual,
        o.override_date,
        o.override_note,
        o.override_author
    from timed as t
    left join aggregates as a on t.as_of = a.as_of and t.kr_id = a.kr_id
    left join latest_days as l on t.as_of = l.as_of and t.kr_id = l.kr_id and l.recency = 1
    left join freshness as f on t.as_of = f.as_of and t.kr_id = f.kr_id
    left join blocked as b on t.metric = b.metric
    left join {{ ref('int_kr_overrides_daily') }} as o on t.as_of = o.as_of and t.kr_id = o.kr_id
    left join {{ ref('int_kr_pace_curves') }} as pc
        on
            t.kr_id = pc.kr_id
            and t.kr_type = 'progress'
            and t.pace = pc.pace
            and t.start_date = pc.start_date
            and t.end_date = pc.end_date
            and t.pace_seen_on is not distinct from pc.pace_seen_on
            and t.window_end = pc.curve_date
),

progressed as (
    select
        *,
        case
            when actual is null or data_through is null or blocked_reason is not null then null
            else {{ okr_progress('actual') }}
        end as progress,
        case
            when as_of < start_date then null
            when kr_type = 'progress'
                then
                    coalesce(pace_share, cast(elapsed_days as {{ okr_double() }}) / total_days)
                    * case when commitment = 'aspirational' then {{ okr_aspirational_factor() }} else 1.0 end
            else 1.0
        end as expected_progress,
        case
            when kr_type = 'progress' and commitment = 'aspirational' then {{ okr_aspirational_factor() }}
            else 1.0
        end as achieved_score
    from actuals
),

scored as (
    select
        *,
        case when progress < 0 then 0.0 when progress > 1 then 1.0 else progress end as score
    from progressed
),

statused as (
    select
        *,
        expected_progress - score as gap,
        case
            when as_of < start_date then 'not_started'
            when blocked_reason is not null then case when data_through is null then 'no_data' else 'stale' end
            when data_through is null or actual is null then 'no_data'
            -- A failed load leaves a KR stale unless its period is over and fully covered by data
            -- that arrived before the failure (then its final result is known).
            when failed_source is not null and not (as_of >= end_date and data_through >= end_date) then 'stale'
            when {{ dbt.datediff("data_through", "window_end", "day") }} > stale_after_days then 'stale'  -- noqa: LT05
            when as_of >= end_date
                then case when score >= achieved_score - {{ okr_tolerance() }} then 'achieved' else 'missed' end
            else {{ okr_gap_status('expected_progress', 'score', 'at_risk_threshold', 'off_track_threshold') }}
        end as status
    from scored
),

forecasted as (
    select
        *,
        case
            when score is null then null
            when measure = 'sum' then 'run_rate_{{ okr_run_rate_days() }}d'
            when measure in ('avg', 'last', 'ratio') then 'hold_level'
        end as forecast_method,
        case
            when score is not null and measure = 'sum' and run_rate_days > 0
                then coalesce(recent_sum, 0) / run_rate_days
        end as forecast_run_rate,
        case
            when score is null then null
            when measure = 'sum' and run_rate_days > 0
                then actual + coalesce(recent_sum, 0) / run_rate_days * (total_days - elapsed_days)
            when measure in ('avg', 'last', 'ratio') then actual
        end as forecast_projected_actual
    from statused
),

projected as (
    select
        *,
        case
            when forecast_projected_actual is not null then {{ okr_progress('forecast_projected_actual') }}
        end as forecast_projected_progress
    from forecasted
),

explained as (
    -- Why the status is what it is: the reason code first (docs/scoring.md, "Reasons").
    select
        *,
        case
            when status = 'not_started' then 'not_started'
            when blocked_reason is not null then 'blocked_by_check'
            when status = 'no_data' and data_through is null then 'no_data_metric'
            when status = 'no_data' and measure = 'ratio' then 'no_data_zero_denominator'
            when status = 'no_data' then 'no_data_no_matching_rows'
            when status = 'stale' and failed_source is not null then 'stale_source_failed'
            when status = 'stale' then 'stale_data'
            when status in ('achieved', 'missed') then status
            when kr_type <> 'progress' and score < 1 then 'threshold_broken'
            when kr_type <> 'progress' then 'threshold_held'
            when status <> 'on_track' then 'behind_pace'
            when forecast_projected_progress < achieved_score - {{ okr_tolerance() }} then 'forecast_below_target'
            when score > expected_progress + {{ okr_tolerance() }} then 'ahead_of_pace'
            else 'on_pace'
        end as reason_code
    from projected
)

select
    *,
    case
        when status = 'not_started'
            then {{ dbt.concat(["'starts on '", dbt.cast('start_date', dbt.type_string())]) }}
        when blocked_reason is not null then {{ dbt.concat(["'data check failed: '", 'blocked_reason']) }}
        when status = 'no_data' and data_through is null
            then
                {{ dbt.concat(["'metric '", 'metric', "' has no data on or before '", dbt.cast('as_of', dbt.type_string())]) }}  -- noqa: LT05
        when status = 'no_data' and measure = 'ratio'
            then 'the denominator is 0 in the window'
        when status = 'no_data'
            then {{ dbt.concat(["'no rows of metric '", 'metric', "' match this key result in its window'"]) }}
        when status = 'stale' and failed_source is not null
            then {{ dbt.concat(["'source '", 'failed_source', "' failed to load: '", "coalesce(failed_error, 'no error recorded')"]) }}  -- noqa: LT05
        when status = 'stale'
            then {{ dbt.concat([
                "'latest data is from '", dbt.cast('data_through', dbt.type_string()),
                "', more than '", dbt.cast('stale_after_days', dbt.type_string()),
                "' days before '", dbt.cast('window_end', dbt.type_string())]) }}
    end as status_reason,
    case
        when reason_code = 'not_started' then {{ okr_json_object([('starts_on', 'date', 'start_date')]) }}
        when reason_code = 'blocked_by_check' then {{ okr_json_object([('check', 'string', 'blocked_reason')]) }}
        when reason_code in ('no_data_metric', 'no_data_zero_denominator', 'no_data_no_matching_rows')
            then {{ okr_json_object([('metric', 'string', 'metric'), ('as_of', 'date', 'as_of')]) }}
        when reason_code in ('stale_source_failed', 'stale_data')
            then {{ okr_json_object([
                ('source', 'string', 'coalesce(failed_source, freshness_source)'),
                ('error', 'string', 'failed_error'),
                ('data_through', 'date', 'data_through'),
                ('stale_after_days', 'number', 'stale_after_days'),
                ('window_end', 'date', 'window_end')]) }}
        when reason_code in ('achieved', 'missed')
            then {{ okr_json_object([
                ('actual', 'number', 'actual'), ('target', 'number', 'target'), ('score', 'number', 'score')]) }}
        when reason_code in ('threshold_broken', 'threshold_held')
            then {{ okr_json_object([
                ('actual', 'number', 'actual'), ('target', 'number', 'target'),
                ('by', 'number', 'abs(actual - target)'),
                ('broken_on', 'date', "case when score < 1 then coalesce(first_broken_on, data_through) end"),
                ('recoverable', 'bool', "not (kr_type = 'stay_above' and measure = 'min'"
                    ~ " or kr_type = 'stay_below' and measure in ('max', 'sum'))")]) }}
        else {{ okr_json_object([
            ('done', 'number', 'score'), ('expected', 'number', 'expected_progress'),
            ('gap', 'number', 'expected_progress - score'),
            ('projected_actual', 'number', 'forecast_projected_actual'),
            ('projected_progress', 'number', 'forecast_projected_progress'),
            ('target', 'number', 'target')]) }}
    end as reason_params
from explained
