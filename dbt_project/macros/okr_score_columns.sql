{#
  The published columns of KR and objective scores, in order: kr_scores and objective_scores
  (the newest day) and their history models select the same list from the daily models. New
  columns go at the end; existing ones are never renamed (scorecard.json readers rely on them).
#}
{% macro okr_kr_score_columns() -%}
    {{ return([
        'as_of', 'kr_id', 'objective_id', 'title', 'owner', 'team', 'cycle', 'metric', 'measure',
        'kr_type', 'commitment', 'baseline', 'target', 'weight', 'unit', 'start_date', 'end_date',
        'window_end', 'total_days', 'elapsed_days', 'days_with_rows', 'actual', 'progress', 'score',
        'expected_progress', 'gap', 'status', 'status_reason', 'data_through', 'stale_after_days',
        'at_risk_threshold', 'off_track_threshold', 'forecast_method', 'forecast_run_rate',
        'forecast_projected_actual', 'forecast_projected_progress',
        'freshness_source', 'failed_source', 'definitions_seen_on', 'reason_code', 'reason_params',
        'forecast_interval_method', 'forecast_observed_through', 'forecast_remaining_days',
        'forecast_sample_days', 'forecast_daily_mean', 'forecast_daily_sd', 'forecast_drift_per_day',
        'forecast_p10', 'forecast_p50', 'forecast_p90', 'forecast_probability_on_target',
        'data_actual', 'override_date', 'override_note', 'override_author',
        'pace', 'pace_method', 'pace_warning', 'pace_share', 'forecast_season_scale',
    ]) }}
{%- endmacro %}

{% macro okr_objective_score_columns() -%}
    {{ return([
        'as_of', 'objective_id', 'title', 'owner', 'team', 'parent_id', 'cycle', 'weight', 'level',
        'child_count', 'unit_count', 'scored_count', 'start_date', 'end_date', 'score',
        'expected_progress', 'gap', 'status', 'reason_code', 'reason_params',
    ]) }}
{%- endmacro %}

{#- The newest day (okr_as_of()) of a daily score model, with the published columns. -#}
{% macro okr_newest_day(daily_model, columns) -%}
    select
        {{ columns | join(',\n        ') }}
    from {{ ref(daily_model) }}
    where as_of = {{ okr_as_of() }}
{%- endmacro %}

{#- A history model (docs/scoring.md, "History"): each day of the run from a daily score model,
    keeping what each day published. Without replace_history only the days missing from history
    are added; with it, the run's days are rescored and those that existed are marked with
    restated_at (when). Delete+insert on as_of, so a replaced day loses KRs deleted since. -#}
{% macro okr_history(daily_model, columns) -%}
    with days as (
        select
            d.as_of,
            {% if is_incremental() -%}
            case when h.as_of is not null then {{ dbt.current_timestamp() }} end as restated_at
        from {{ ref('int_scoring_days') }} as d
        left join (select distinct as_of from {{ this }}) as h on d.as_of = h.as_of
        where h.as_of is null or {{ okr_replace_history() }}
            {%- else -%}
            cast(null as {{ dbt.type_timestamp() }}) as restated_at
        from {{ ref('int_scoring_days') }} as d
            {%- endif %}
    )

    select
        s.{{ columns | join(',\n        s.') }},
        cast(days.restated_at as {{ dbt.type_timestamp() }}) as restated_at
    from {{ ref(daily_model) }} as s
    inner join days on s.as_of = days.as_of
{%- endmacro %}
