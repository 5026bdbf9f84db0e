{#
  The forecast's interval and its probability (docs/scoring.md, "Forecast interval"): for every
  scored KR on every scoring day, p10 / p50 / p90 of the end-of-period actual and the chance that
  the final score reaches the achieved bar (1.0, or 0.7 aspirational), in closed form from the
  KR's recent daily values. It adds these columns to int_kr_scores_daily's; the marts publish them.

  The sample is the last okr_forecast_sample_days() observed days of the window. Observed means up
  to data_through: while a source is stale its missing days are unknown, so they are neither zeros
  in the sample nor days already done (they are forecast like the days still ahead).
#}
{{ config(materialized='table') }}  -- read by kr_scores and kr_score_history

with scores as (
    select * from {{ ref('int_kr_scores_daily') }}
),

spans as (
    select
        as_of,
        kr_id,
        measure,
        start_date,
        total_days,
        case when data_through < window_end then data_through else window_end end as observed_through
    from scores
    where score is not null
),

counted as (
    select
        *,
        case
            when {{ okr_days_inclusive('start_date', 'observed_through') }} < 0 then 0
            when {{ okr_days_inclusive('start_date', 'observed_through') }} > total_days then total_days
            else {{ okr_days_inclusive('start_date', 'observed_through') }}
        end as observed_days
    from spans
),

sampled as (
    select
        *,
        total_days - observed_days as remaining_days,
        case
            when observed_days < {{ okr_forecast_sample_days() }} then observed_days
            else {{ okr_forecast_sample_days() }}
        end as sample_days
    from counted
),

observed_rows as (
    -- The KR's daily values on its observed days; in_sample marks the last sample_days of them.
    -- level is what a level measure averages: the day's value, or its numerator / denominator.
    select
        s.as_of,
        s.kr_id,
        s.sample_days,
        s.measure,
        d.value,
        d.numerator,
        d.denominator,
        {{ dbt.datediff('d.metric_date', 's.observed_through', 'day') }} < s.sample_days as in_sample,  -- noqa: LT05
        -- x: days before observed_through (0 on it, negative before), for the sample's halves.
        {{ dbt.datediff('s.observed_through', 'd.metric_date', 'day') }} as x,  -- noqa: LT05
        case when s.measure = 'ratio' then d.numerator / nullif(d.denominator, 0) else d.value end as level
    from sampled as s
    inner join {{ ref('int_kr_daily_values') }} as d
        on s.kr_id = d.kr_id and s.start_date <= d.metric_date and s.observed_through >= d.metric_date
),

sample_rows as (
    -- Two passes: the sample's means first (per row, by window), then the deviations from them.
    -- The sum measure's daily mean counts days without rows as 0 (they were observed: nothing
    -- happened). A level's mean is over the days with rows (a ratio's: numerator / denominator).
    select
        *,
        {{ okr_exact_window_sum('value') }} / sample_days as daily_mean,
        case
            when measure = 'ratio'
                then {{ okr_exact_window_sum('numerator') }} / nullif({{ okr_exact_window_sum('denominator') }}, 0)
            else {{ okr_exact_window_sum('value') }} / count(value) over (partition by as_of, kr_id)
        end as level_mean,
        {{ okr_exact_window_sum('denominator') }} / count(*) over (partition by as_of, kr_id) as mean_denominator,
        -- The early and late halves of the sample, for the level's drift.
        x * 2 < 1 - sample_days as is_early
    from observed_rows
    where in_sample
),

sample_stats as (
    select
        as_of,
        kr_id,
        max(daily_mean) as daily_mean,
        -- Squared deviations of the days with rows, plus those of the observed days without rows.
        {{ okr_exact_sum('(value - daily_mean) * (value - daily_mean)') }}
        + (max(sample_days) - count(*)) * max(daily_mean) * max(daily_mean) as daily_squares,
        min(value) as min_value,
        -- A ratio's deviations include days with a zero denominator (their numerator still counts).
        count(case when measure = 'ratio' then denominator else level end) as level_days,
        max(level_mean) as level_mean,
        -- A level's deviations; a ratio's are its days' numerators off the level, per mean denominator
        -- (the ratio estimator's linearisation), so that a day with a tiny denominator weighs little.
        {{ okr_exact_sum(
            "case when measure = 'ratio' then (numerator - level_mean * denominator) / nullif(mean_denominator, 0)"
            ~ " else level - level_mean end"
            ~ " * case when measure = 'ratio' then (numerator - level_mean * denominator) / nullif(mean_denominator, 0)"
            ~ " else level - level_mean end") }} as level_squares,
        -- Drift per day: the late half's level minus the early half's, over half the sample.
        (
            case
                when max(measure) = 'ratio'
                    then
                        {{ okr_exact_sum('case when not is_early then numerator end') }}
                        / nullif({{ okr_exact_sum('case when not is_early then denominator end') }}, 0)
                        - {{ okr_exact_sum('case when is_early then numerator end') }}
                        / nullif({{ okr_exact_sum('case when is_early then denominator end') }}, 0)
                else
                    {{ okr_exact_sum('case when not is_early then level end') }}
                    / nullif(count(case when not is_early then level end), 0)
                    - {{ okr_exact_sum('case when is_early then level end') }}
                    / nullif(count(case when is_early then level end), 0)
            end
        ) / (max(sample_days) / 2.0) as level_drift,
        -- The same for the sum measure's daily values, days without rows counting as 0.
        (
            {{ okr_exact_sum('case when not is_early then value end') }} / ceiling(max(sample_days) / 2.0)
            - coalesce({{ okr_exact_sum('case when is_early then value end') }}, 0)
            / nullif(floor(max(sample_days) / 2.0), 0)
        ) / (max(sample_days) / 2.0) as daily_drift,
        {{ okr_exact_sum('numerator') }} as sample_numerator,
        {{ okr_exact_sum('denominator') }} as sample_denominator
    from sample_rows
    group by as_of, kr_id
),

observed_stats as (
    select
        as_of,
        kr_id,
        count(*) as observed_rows,
        {{ okr_exact_sum('value') }} as observed_sum,
        {{ okr_exact_sum('numerator') }} as observed_numerator,
        {{ okr_exact_sum('denominator') }} as observed_denominator
    from observed_rows
    group by as_of, kr_id
),

season as (
    -- A seasonal pace shapes the days ahead (docs/scoring.md, "Forecast interval"): the sample's
    -- daily rate is scaled by last year's average share per day ahead over its average share per
    -- sample day, to the power okr_forecast_season_share (how much of last year's shape is
    -- trusted: this year's campaigns move it). 1 for every other pace, and when the sample's
    -- share is 0 or no day is ahead.
    select
        p.as_of,
        p.kr_id,
        case
            when p.remaining_days > 0 and c1.cumulative_share - coalesce(c0.cumulative_share, 0) > 0
                then power(
                    (1 - c1.cumulative_share) / p.remaining_days
                    / ((c1.cumulative_share - coalesce(c0.cumulative_share, 0)) / p.sample_days),
                    {{ var('okr_forecast_season_share') }}
                )
            else 1.0
        end as season_scale
    from sampled as p
    inner join scores as s on p.as_of = s.as_of and p.kr_id = s.kr_id
    inner join {{ ref('int_kr_pace_curves') }} as c1
        on
            s.kr_id = c1.kr_id and s.pace = c1.pace and s.start_date = c1.start_date and s.end_date = c1.end_date
            and p.observed_through = c1.curve_date
    left join {{ ref('int_kr_pace_curves') }} as c0
        on
            s.kr_id = c0.kr_id and s.pace = c0.pace and s.start_date = c0.start_date and s.end_date = c0.end_date
            and c0.curve_date = cast({{ dbt.dateadd('day', '-p.sample_days', 'p.observed_through') }} as date)
    where s.measure = 'sum' and s.pace_method = 'seasonal'
),

inputs as (
    select
        s.*,
        p.observed_through,
        p.observed_days,
        p.remaining_days,
        p.sample_days,
        st.min_value,
        st.level_days,
        case
            when s.measure = 'sum' then coalesce(st.daily_drift, 0) * coalesce(se.season_scale, 1)
            else st.level_drift
        end as drift,
        coalesce(se.season_scale, 1.0) as season_scale,
        o.observed_rows,
        o.observed_denominator,
        case when s.kr_type = 'progress' then s.baseline + s.achieved_score * (s.target - s.baseline) else s.target end
            as bar,
        s.kr_type = 'stay_above' or s.kr_type = 'progress' and s.target >= s.baseline as wants_high,
        case
            when s.measure = 'sum' then coalesce(st.daily_mean, 0) * coalesce(se.season_scale, 1)
            when s.measure = 'ratio' then st.sample_numerator / nullif(st.sample_denominator, 0)
            else st.level_mean
        end as daily_mean,
        case
            when s.measure = 'sum' and p.sample_days >= 2
                then
                    sqrt(greatest(coalesce(st.daily_squares, 0) / (p.sample_days - 1), 0))
                    * coalesce(se.season_scale, 1)
            when s.measure <> 'sum' and st.level_days >= 2
                then sqrt(greatest(st.level_squares / (st.level_days - 1), 0))
        end as daily_sd,
        -- What is already in: the actual over the observed days only (or the override in force).
        case
            when s.override_date is not null then s.actual
            when s.measure = 'sum' then coalesce(o.observed_sum, 0)
            when s.measure = 'avg' then o.observed_sum / nullif(o.observed_rows, 0)
            when s.measure = 'ratio' then o.observed_numerator / nullif(o.observed_denominator, 0)
            else s.actual
        end as observed_actual,
        -- How much weight the days still ahead carry: rows (avg) or denominator (ratio) per day.
        case
            when s.measure = 'ratio' then p.remaining_days * st.sample_denominator / nullif(p.sample_days, 0)
            else p.remaining_days * cast(st.level_days as {{ okr_double() }}) / nullif(p.sample_days, 0)
        end as future_weight,
        p.remaining_days * cast(st.level_days as {{ okr_double() }}) / nullif(p.sample_days, 0) as future_level_days
    from scores as s
    inner join sampled as p on s.as_of = p.as_of and s.kr_id = p.kr_id
    left join sample_stats as st on s.as_of = st.as_of and s.kr_id = st.kr_id
    left join observed_stats as o on s.as_of = o.as_of and s.kr_id = o.kr_id
    left join season as se on s.as_of = se.as_of and s.kr_id = se.kr_id
),

spread as (
    -- The centre (p50) and standard deviation of the end-of-period actual, per measure.
    select
        *,
        case
            when measure = 'sum' then 'daily_sum_normal'
            when measure in ('avg', 'ratio', 'last') then 'level_se_drift'
            when measure in ('min', 'max') then 'extreme_daily_normal'
        end as interval_method,
        case
            when measure = 'sum'
                then
                    observed_actual + remaining_days * daily_mean
                    + {{ var('okr_forecast_drift_share') }} * drift * remaining_days
                    * (sample_days + remaining_days) / 2.0
            when measure in ('avg', 'ratio') and remaining_days = 0 then observed_actual
            when measure = 'avg'
                then (observed_rows * observed_actual + future_weight * daily_mean) / (observed_rows + future_weight)
            when measure = 'ratio'
                then
                    (observed_denominator * observed_actual + future_weight * daily_mean)
                    / nullif(observed_denominator + future_weight, 0)
            when measure = 'last' then observed_actual
        end as center,
        case
            when remaining_days = 0 then 0.0
            -- Sum of the remaining days: each day's variance, plus the uncertainty of the mean itself.
            when measure = 'sum'
                then sqrt(
                    daily_sd * daily_sd
                    * (remaining_days + cast(remaining_days * remaining_days as {{ okr_double() }}) / sample_days)
                    + power(drift * remaining_days * (sample_days + remaining_days) / 2.0, 2)
                    + power({{ var('okr_forecast_level_wander') }} * daily_sd * remaining_days, 2)
                    * remaining_days / sample_days
                )
            -- A level: its standard error over the days ahead and in the sample, plus the drift
            -- over the distance from the sample's middle to the middle of the days ahead.
            when measure in ('avg', 'ratio')
                then
                    future_weight / nullif(
                        case when measure = 'ratio' then observed_denominator else observed_rows end + future_weight, 0
                    )
                    * sqrt(
                        daily_sd * daily_sd * (1.0 / greatest(future_level_days, 1) + 1.0 / level_days)
                        + power(coalesce(drift, 0) * (sample_days + remaining_days) / 2.0, 2)
                        + power({{ var('okr_forecast_level_wander') }} * daily_sd, 2) * remaining_days / sample_days
                    )
            -- The latest value: one day's spread around the level, plus the drift until the end.
            when measure = 'last'
                then sqrt(
                    daily_sd * daily_sd * (1.0 + 1.0 / level_days)
                    + power(coalesce(drift, 0) * remaining_days, 2)
                    + power({{ var('okr_forecast_level_wander') }} * daily_sd, 2) * remaining_days / sample_days
                )
        end as sd
    from inputs
),

hit as (
    select
        *,
        -- How many standard deviations the centre lies on the right side of the bar (+-8 when the
        -- spread is zero: certain either way).
        case
            when sd > 0 then (center - bar) / sd * case when wants_high then 1 else -1 end
            when wants_high and center >= bar - {{ okr_tolerance() }} * greatest(1, abs(bar)) then 8.0
            when not wants_high and center <= bar + {{ okr_tolerance() }} * greatest(1, abs(bar)) then 8.0
            else -8.0
        end as z_hit,
        -- For min / max: where the bar lies in one future day's distribution.
        case
            when daily_sd > 0 then (bar - daily_mean) / daily_sd
            when daily_mean <= bar + {{ okr_tolerance() }} * greatest(1, abs(bar)) then 8.0
            else -8.0
        end as z_bar,
        -- For min / max: the chance that all of the days ahead stay on one side of the bar.
        coalesce(future_level_days, 0) as extreme_days
    from spread
),

probabilities as (
    select
        *,
        {{ okr_normal_cdf('z_hit') }} as p_normal,
        {{ okr_normal_cdf('z_bar') }} as p_day_below_bar,
        -- The quantiles of the extreme of extreme_days future days (min: the lowest; max: the highest).
        {{ okr_normal_quantile('1 - power(0.9, 1.0 / nullif(extreme_days, 0))') }} as z_min_p10,
        {{ okr_normal_quantile('1 - power(0.5, 1.0 / nullif(extreme_days, 0))') }} as z_min_p50,
        {{ okr_normal_quantile('1 - power(0.1, 1.0 / nullif(extreme_days, 0))') }} as z_min_p90,
        {{ okr_normal_quantile('power(0.1, 1.0 / nullif(extreme_days, 0))') }} as z_max_p10,
        {{ okr_normal_quantile('power(0.5, 1.0 / nullif(extreme_days, 0))') }} as z_max_p50,
        {{ okr_normal_quantile('power(0.9, 1.0 / nullif(extreme_days, 0))') }} as z_max_p90
    from hit
),

{%- set held_low = 'actual >= bar - ' ~ okr_tolerance() ~ ' * greatest(1, abs(bar))' %}
{%- set held_high = 'actual <= bar + ' ~ okr_tolerance() ~ ' * greatest(1, abs(bar))' %}
{%- set z = '1.2815515655446004' %}

forecasts as (
    select
        as_of,
        kr_id,
        interval_method as forecast_interval_method,
        observed_through as forecast_observed_through,
        remaining_days as forecast_remaining_days,
        sample_days as forecast_sample_days,
        daily_mean as forecast_daily_mean,
        daily_sd as forecast_daily_sd,
        drift as forecast_drift_per_day,
        season_scale as forecast_season_scale,
        case
            when measure in ('min', 'max') and (remaining_days = 0 or extreme_days = 0) then actual
            when measure = 'min' then least(actual, daily_mean + daily_sd * z_min_p10)
            when measure = 'max' then greatest(actual, daily_mean + daily_sd * z_max_p10)
            -- A sum of values that are never negative cannot end below what is already in.
            when measure = 'sum' and min_value >= 0 then greatest(center - {{ z }} * sd, observed_actual)
            else center - {{ z }} * sd
        end as forecast_p10,
        case
            when measure in ('min', 'max') and (remaining_days = 0 or extreme_days = 0) then actual
            when measure = 'min' then least(actual, daily_mean + daily_sd * z_min_p50)
            when measure = 'max' then greatest(actual, daily_mean + daily_sd * z_max_p50)
            when measure = 'sum' and min_value >= 0 then greatest(center, observed_actual)
            else center
        end as forecast_p50,
        case
            when measure in ('min', 'max') and (remaining_days = 0 or extreme_days = 0) then actual
            when measure = 'min' then least(actual, daily_mean + daily_sd * z_min_p90)
            when measure = 'max' then greatest(actual, daily_mean + daily_sd * z_max_p90)
            when measure = 'sum' and min_value >= 0 then greatest(center + {{ z }} * sd, observed_actual)
            else center + {{ z }} * sd
        end as forecast_p90,
        case
            when daily_sd is null and remaining_days > 0 then null
            -- An extreme only moves away from where it is: P(every day ahead stays on the bar's side).
            when measure = 'min' and wants_high
                then case when {{ held_low }} then power(1 - p_day_below_bar, extreme_days) else 0.0 end
            when measure = 'min'
                then case when {{ held_high }} then 1.0 else 1 - power(1 - p_day_below_bar, extreme_days) end
            when measure = 'max' and wants_high
                then case when {{ held_low }} then 1.0 else 1 - power(p_day_below_bar, extreme_days) end
            when measure = 'max'
                then case when {{ held_high }} then power(p_day_below_bar, extreme_days) else 0.0 end
            -- A sum of values that are never negative keeps what it has reached (or overshot).
            when
                measure = 'sum' and min_value >= 0 and wants_high
                and {{ held_low.replace('actual', 'observed_actual') }}
                then 1.0
            when
                measure = 'sum' and min_value >= 0 and not wants_high
                and not ({{ held_high.replace('actual', 'observed_actual') }})
                then 0.0
            else p_normal
        end as forecast_probability_on_target
    from probabilities
    where center is not null or measure in ('min', 'max')
)

select
    s.*,
    f.forecast_interval_method,
    f.forecast_observed_through,
    f.forecast_remaining_days,
    f.forecast_sample_days,
    f.forecast_daily_mean,
    f.forecast_daily_sd,
    f.forecast_drift_per_day,
    f.forecast_season_scale,
    case when f.forecast_probability_on_target is not null then f.forecast_p10 end as forecast_p10,
    case when f.forecast_probability_on_target is not null then f.forecast_p50 end as forecast_p50,
    case when f.forecast_probability_on_target is not null then f.forecast_p90 end as forecast_p90,
    f.forecast_probability_on_target
from scores as s
left join forecasts as f on s.as_of = f.as_of and s.kr_id = f.kr_id
