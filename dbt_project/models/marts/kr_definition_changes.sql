{#
  Course corrections: each change of a KR's target, baseline, start or end between runs, dated
  the first day the new value was seen (docs/scoring.md, "Definition changes").
  Scores always use the current definitions; this table only tells the story. Snapshots are
  dated by the day a run saw them (not its as_of), so backfills of past dates add no false changes.
#}

with snapshots as (
    select
        seen_on,
        kr_id,
        baseline,
        target,
        start_date,
        end_date,
        change_reason,
        lag(baseline) over (partition by kr_id order by seen_on) as prev_baseline,
        lag(target) over (partition by kr_id order by seen_on) as prev_target,
        lag(start_date) over (partition by kr_id order by seen_on) as prev_start_date,
        lag(end_date) over (partition by kr_id order by seen_on) as prev_end_date,
        row_number() over (partition by kr_id order by seen_on) as seen_no
    from {{ ref('stg_okr__definition_snapshots') }}
),

changes as (
    select
        kr_id,
        seen_on as changed_on,
        'target' as field,
        prev_target as old_number,
        target as new_number,
        cast(null as date) as old_date,
        cast(null as date) as new_date,
        change_reason
    from snapshots
    where seen_no > 1 and prev_target <> target
    union all
    select
        kr_id,
        seen_on as changed_on,
        'baseline' as field,
        prev_baseline as old_number,
        baseline as new_number,
        cast(null as date) as old_date,
        cast(null as date) as new_date,
        change_reason
    from snapshots
    where
        seen_no > 1
        and (
            prev_baseline <> baseline
            or (prev_baseline is null and baseline is not null)
            or (prev_baseline is not null and baseline is null)
        )
    union all
    select
        kr_id,
        seen_on as changed_on,
        'start' as field,
        cast(null as double precision) as old_number,
        cast(null as double precision) as new_number,
        prev_start_date as old_date,
        start_date as new_date,
        change_reason
    from snapshots
    where seen_no > 1 and prev_start_date <> start_date
    union all
    select
        kr_id,
        seen_on as changed_on,
        'end' as field,
        cast(null as double precision) as old_number,
        cast(null as double precision) as new_number,
        prev_end_date as old_date,
        end_date as new_date,
        change_reason
    from snapshots
    where seen_no > 1 and prev_end_date <> end_date
)

select
    kr_id,
    changed_on,
    field,
    old_number,
    new_number,
    old_date,
    new_date,
    change_reason
from changes
