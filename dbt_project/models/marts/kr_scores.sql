{#
  Every key result scored at as_of. The rules, with worked examples, are in docs/scoring.md;
  the CTEs follow them step by step: timing -> daily values -> actual -> progress and score ->
  expected progress -> status -> forecast.
#}

with key_results as (
    select
        k.kr_id,
        k.objective_id,
        k.title,
        coalesce(k.owner, o.owner) as owner,
        o.team,
        k.cycle,
        k.metric,
        k.measure,
        k.kr_type,
        k.commitment,
        k.baseline,
        k.target,
        k.weight,
        k.unit,
        k.start_date,
        k.end_date,
        k.stale_after_days,
        k.at_risk_threshold,
        k.off_track_threshold,
        {{ okr_as_of() }} as as_of,
        case when k.end_date < {{ okr_as_of() }} then k.end_date else {{ okr_as_of() }} end as window_end
    from {{ ref('stg_okr__key_results') }} as k
    inner join {{ ref('stg_okr__objectives') }} as o on k.objective_id = o.objective_id
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
        end as elapsed_days
    from timing
),

daily as (
    -- One value per KR and day: campaigns (and any other dimension rows) summed.
    select
        kr_id,
        metric_date,
        sum(value) as value,
        sum(numerator) as numerator,
        sum(denominator) as denominator
    from {{ ref('kr_metric_days') }}
    group by kr_id, metric_date
),

ranked_days as (
    select
        kr_id,
        value,
        row_number() over (partition by kr_id order by metric_date desc) as recency
    from daily
),

aggregates as (
    select
        kr_id,
        {{ okr_measure_aggregates() }}
    from daily
    group by kr_id
),

recent as (
    -- Run rate for the forecast: the last min(14, elapsed) days of the window.
    select
        d.kr_id,
        sum(d.value) as recent_sum
    from daily as d
    inner join timed as t on d.kr_id = t.kr_id
    where {{ dbt.datediff('d.metric_date', 't.window_end', 'day') }} < least(14, t.elapsed_days)  -- noqa: LT05
    group by d.kr_id
),

freshness as (
    select
        t.kr_id,
        max(f.data_through) as data_through
    from timed as t
    inner join {{ ref('metric_data_through') }} as f
        on t.metric = f.metric and (f.kr_id is null or t.kr_id = f.kr_id)
    group by t.kr_id
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
        f.data_through,
        b.reason as blocked_reason,
        least(14, t.elapsed_days) as run_rate_days,
        r.recent_sum,
        case
            when t.as_of < t.start_date then null
            {{ okr_measure_actual('t.measure', 'a', 'l.value') }}
        end as actual
    from timed as t
    left join aggregates as a on t.kr_id = a.kr_id
    left join ranked_days as l on t.kr_id = l.kr_id and l.recency = 1
    left join recent as r on t.kr_id = r.kr_id
    left join freshness as f on t.kr_id = f.kr_id
    left join blocked as b on t.metric = b.metric
),

progressed as (
    select
        *,
        case
            when actual is null or data_through is null or blocked_reason is not null then null
            when kr_type = 'progress' then (actual - baseline) / (target - baseline)
            when kr_type = 'stay_above'
                then case when actual >= target - {{ okr_tolerance() }} * greatest(1, abs(target)) then 1.0 else 0.0 end
            when kr_type = 'stay_below'
                then case when actual <= target + {{ okr_tolerance() }} * greatest(1, abs(target)) then 1.0 else 0.0 end
        end as progress,
        case
            when as_of < start_date then null
            when kr_type = 'progress'
                then
                    cast(elapsed_days as {{ okr_double() }}) / total_days
                    * case when commitment = 'aspirational' then 0.7 else 1.0 end
            else 1.0
        end as expected_progress
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
            when {{ dbt.datediff("data_through", "window_end", "day") }} > stale_after_days  -- noqa: LT05
                then 'stale'
            when as_of >= end_date
                then
                    case
                        when
                            score
                            >= case when kr_type = 'progress' and commitment = 'aspirational' then 0.7 else 1.0 end
                            - {{ okr_tolerance() }}
                            then 'achieved'
                        else 'missed'
                    end
            when expected_progress - score <= at_risk_threshold + {{ okr_tolerance() }} then 'on_track'
            when expected_progress - score <= off_track_threshold + {{ okr_tolerance() }} then 'at_risk'
            else 'off_track'
        end as status
    from scored
),

forecasted as (
    select
        as_of,
        kr_id,
        objective_id,
        title,
        owner,
        team,
        cycle,
        metric,
        measure,
        kr_type,
        commitment,
        baseline,
        target,
        weight,
        unit,
        start_date,
        end_date,
        window_end,
        total_days,
        elapsed_days,
        days_with_rows,
        actual,
        progress,
        score,
        expected_progress,
        gap,
        status,
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
            when status = 'stale'
                then {{ dbt.concat([
                    "'latest data is from '", dbt.cast('data_through', dbt.type_string()),
                    "', more than '", dbt.cast('stale_after_days', dbt.type_string()),
                    "' days before '", dbt.cast('window_end', dbt.type_string())]) }}
        end as status_reason,
        data_through,
        stale_after_days,
        at_risk_threshold,
        off_track_threshold,
        case
            when score is null then null
            when measure = 'sum' then 'run_rate_14d'
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
)

select
    *,
    case
        when forecast_projected_actual is null then null
        when kr_type = 'progress' then (forecast_projected_actual - baseline) / (target - baseline)
        when kr_type = 'stay_above'
            then case
                when forecast_projected_actual >= target - {{ okr_tolerance() }} * greatest(1, abs(target))
                    then 1.0
                else 0.0
            end
        when kr_type = 'stay_below'
            then case
                when forecast_projected_actual <= target + {{ okr_tolerance() }} * greatest(1, abs(target))
                    then 1.0
                else 0.0
            end
    end as forecast_projected_progress
from forecasted
