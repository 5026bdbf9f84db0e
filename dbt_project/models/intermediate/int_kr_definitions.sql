{#
  Each key result as defined for each scoring day (docs/scoring.md, "History"): a day uses the
  snapshot a nightly run for that day saw (the latest one seen on or before the day after it, as
  the run for a day happens the next morning, so a normal night uses today's), and a day before
  the first snapshot uses today's definitions. A KR missing from that day's snapshot did not exist
  yet and is not scored that day. What a snapshot changes here: baseline, target, period,
  measure, type, commitment, weight, staleness, thresholds and pace (a monthly pace's shares are
  those the same run saw: stg_okr__kr_pace_shares.seen_on = pace_seen_on); the metric and filter
  (which rows count) are always today's.
#}

with days as (
    select as_of from {{ ref('int_scoring_days') }}
),

snapshot_days as (
    select distinct seen_on from {{ ref('stg_okr__definition_snapshots') }}
),

day_snapshot as (
    -- The snapshot in force on each day, or null for today's definitions.
    select
        d.as_of,
        max(s.seen_on) as seen_on
    from days as d
    left join snapshot_days as s on s.seen_on <= cast({{ dbt.dateadd('day', 1, 'd.as_of') }} as date)
    group by d.as_of
),

snapshots as (
    select
        seen_on,
        kr_id,
        {{ okr_json_text('definition_json', 'measure') }} as measure,
        {{ okr_json_text('definition_json', 'kr_type') }} as kr_type,
        cast({{ okr_json_text('definition_json', 'baseline') }} as {{ okr_double() }}) as baseline,
        cast({{ okr_json_text('definition_json', 'target') }} as {{ okr_double() }}) as target,
        {{ okr_json_text('definition_json', 'commitment') }} as commitment,
        cast({{ okr_json_text('definition_json', 'weight') }} as {{ okr_double() }}) as weight,
        cast({{ okr_json_text('definition_json', 'start') }} as date) as start_date,
        cast({{ okr_json_text('definition_json', 'end') }} as date) as end_date,
        cast({{ okr_json_text('definition_json', 'stale_after_days') }} as integer) as stale_after_days,
        cast({{ okr_json_text('definition_json', 'at_risk') }} as {{ okr_double() }}) as at_risk_threshold,
        cast({{ okr_json_text('definition_json', 'off_track') }} as {{ okr_double() }}) as off_track_threshold,
        -- Snapshots from before pace existed were scored linearly.
        coalesce({{ okr_json_text('definition_json', 'pace') }}, 'linear') as pace
    from {{ ref('stg_okr__definition_snapshots') }}
),

current_krs as (
    select
        k.*,
        o.team,
        coalesce(k.owner, o.owner) as kr_owner
    from {{ ref('stg_okr__key_results') }} as k
    inner join {{ ref('stg_okr__objectives') }} as o on k.objective_id = o.objective_id
),

in_force as (
    select
        ds.as_of,
        c.kr_id,
        c.objective_id,
        c.title,
        c.kr_owner as owner,
        c.team,
        c.cycle,
        c.metric,
        c.unit,
        ds.seen_on as definitions_seen_on,
        coalesce(s.measure, c.measure) as measure,
        coalesce(s.kr_type, c.kr_type) as kr_type,
        case when s.kr_id is null then c.commitment else s.commitment end as commitment,
        case when s.kr_id is null then c.baseline else s.baseline end as baseline,
        case when s.kr_id is null then c.target else s.target end as target,
        case when s.kr_id is null then c.weight else s.weight end as weight,
        case when s.kr_id is null then c.start_date else s.start_date end as start_date,
        case when s.kr_id is null then c.end_date else s.end_date end as end_date,
        case when s.kr_id is null then c.stale_after_days else s.stale_after_days end as stale_after_days,
        case when s.kr_id is null then c.at_risk_threshold else s.at_risk_threshold end as at_risk_threshold,
        case when s.kr_id is null then c.off_track_threshold else s.off_track_threshold end as off_track_threshold,
        case when s.kr_id is null then c.pace else s.pace end as pace,
        -- The run day whose monthly shares apply (the snapshot's, or today's: the newest).
        case
            when (case when s.kr_id is null then c.pace else s.pace end) = 'monthly'
                then coalesce(ds.seen_on, (select max(l.seen_on) from snapshot_days as l))
        end as pace_seen_on
    from day_snapshot as ds
    cross join current_krs as c
    left join snapshots as s on ds.seen_on = s.seen_on and c.kr_id = s.kr_id
    where ds.seen_on is null or s.kr_id is not null
)

select
    *,
    case when end_date < as_of then end_date else as_of end as window_end,
    -- The first day whose metric rows the KR reads: a seasonal pace reads the same window a year earlier.
    case
        when pace = 'seasonal' then cast({{ dbt.dateadd('year', -1, 'start_date') }} as date)
        else start_date
    end as rows_from
from in_force
