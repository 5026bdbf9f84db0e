{#
  Objectives scored on every scoring day of the run (docs/scoring.md, "Objectives"). An
  objective with key results scores from them alone; an objective without key results (a
  company objective) scores from the objectives that name it as parent. The tree is resolved
  bottom-up, one level per pass, up to `max_depth` levels of alignment; a parent is scored once
  all its children are.
#}
{{ config(materialized='table') }}  -- read by several models and tests: computed once
-- Layout is checked on one rendering of the Jinja loop (sqlfluff renders it once), so indentation
-- inside the loop and CTEs that only the loop uses would be misjudged.
-- noqa: disable=LT02, ST03
{%- set max_depth = 6 %}

with objectives as (
    select
        d.as_of,
        o.objective_id,
        o.title,
        o.owner,
        o.team,
        o.parent_id,
        o.cycle,
        o.weight,
        o.at_risk_threshold,
        o.off_track_threshold
    from {{ ref('stg_okr__objectives') }} as o
    cross join {{ ref('int_scoring_days') }} as d
),

child_counts as (
    select
        parent_id as objective_id,
        count(*) as child_count
    from {{ ref('stg_okr__objectives') }}
    where parent_id is not null
    group by parent_id
),

kr_units as (
    -- The units an objective with key results is scored from: its KRs.
    select
        as_of,
        objective_id as owner_id,
        kr_id as unit_id,
        weight,
        score,
        expected_progress,
        status,
        start_date,
        end_date
    from {{ ref('int_kr_scores_daily') }}
),

kr_owners as (
    select distinct
        as_of,
        owner_id
    from kr_units
),

level_0 as (
    {{ okr_objective_rollup('kr_units', 'objectives', '1 = 1') }}
),
{%- for level in range(1, max_depth + 1) %}

units_{{ level }} as (
    -- Child objectives scored so far, as units of their parent.
    select
        s.as_of,
        o.parent_id as owner_id,
        o.objective_id as unit_id,
        o.weight,
        s.score,
        s.expected_progress,
        s.status,
        s.start_date,
        s.end_date
    from level_{{ level - 1 }} as s
    inner join objectives as o on s.as_of = o.as_of and s.objective_id = o.objective_id
    where o.parent_id is not null
),

ready_{{ level }} as (
    -- Parents without KRs whose every child is scored and that are not scored yet.
    select
        u.as_of,
        u.owner_id
    from units_{{ level }} as u
    inner join child_counts as c on u.owner_id = c.objective_id
    left join level_{{ level - 1 }} as l on u.as_of = l.as_of and u.owner_id = l.objective_id
    left join kr_owners as k on u.as_of = k.as_of and u.owner_id = k.owner_id
    where l.objective_id is null and k.owner_id is null
    group by u.as_of, u.owner_id, c.child_count
    having count(*) = c.child_count
),

ready_objectives_{{ level }} as (
    select o.*
    from objectives as o
    inner join ready_{{ level }} as r on o.as_of = r.as_of and o.objective_id = r.owner_id
),

level_{{ level }} as (
    select * from level_{{ level - 1 }}
    union all
    {{ okr_objective_rollup('units_' ~ level, 'ready_objectives_' ~ level, '1 = 1') }}
),
{%- endfor %}

scored as (
    select
        o.as_of,
        o.objective_id,
        o.title,
        o.owner,
        o.team,
        o.parent_id,
        o.cycle,
        o.weight,
        case when k.owner_id is not null then 'team' else 'company' end as level,
        coalesce(c.child_count, 0) as child_count,
        s.unit_count,
        s.scored_count,
        s.start_date,
        s.end_date,
        s.score,
        s.expected_progress,
        s.expected_progress - s.score as gap,
        coalesce(s.status, 'no_data') as status,
        s.dragging_unit_id
    from objectives as o
    left join level_{{ max_depth }} as s on o.as_of = s.as_of and o.objective_id = s.objective_id
    left join child_counts as c on o.objective_id = c.objective_id
    left join kr_owners as k on o.as_of = k.as_of and o.objective_id = k.owner_id
)

select
    *,
    case
        when status in ('not_started', 'no_data', 'achieved', 'missed') then status
        when status <> 'on_track' then 'behind_pace'
        when score > expected_progress + {{ okr_tolerance() }} then 'ahead_of_pace'
        else 'on_pace'
    end as reason_code,
    {{ okr_json_object([
        ('done', 'number', 'score'), ('expected', 'number', 'expected_progress'),
        ('gap', 'number', 'expected_progress - score'),
        ('dragged_most_by', 'string', 'dragging_unit_id'),
        ('dragged_most_by_kind', 'string', "case when dragging_unit_id is null then null"
            ~ " when level = 'team' then 'key_result' else 'objective' end"),
        ('start_date', 'date', 'start_date')]) }} as reason_params
from scored
