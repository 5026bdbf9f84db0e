{#
  Objectives scored at as_of (docs/scoring.md, "Objectives"). An objective with key results
  scores from them alone; an objective without key results (a company objective) scores from
  the objectives that name it as parent. The tree is resolved bottom-up, one level per pass,
  up to `max_depth` levels of alignment; a parent is scored once all its children are.
#}
-- Layout is checked on one rendering of the Jinja loop (sqlfluff renders it once), so indentation
-- inside the loop and CTEs that only the loop uses would be misjudged.
-- noqa: disable=LT02, ST03
{%- set max_depth = 6 %}

with objectives as (
    select
        objective_id,
        title,
        owner,
        team,
        parent_id,
        cycle,
        weight,
        at_risk_threshold,
        off_track_threshold,
        {{ okr_as_of() }} as as_of
    from {{ ref('stg_okr__objectives') }}
),

child_counts as (
    select
        parent_id as objective_id,
        count(*) as child_count
    from objectives
    where parent_id is not null
    group by parent_id
),

kr_units as (
    -- The units an objective with key results is scored from: its KRs.
    select
        objective_id as owner_id,
        weight,
        score,
        expected_progress,
        status,
        start_date,
        end_date
    from {{ ref('kr_scores') }}
),

level_0 as (
    {{ okr_objective_rollup('kr_units', 'objectives', 'o.objective_id in (select k.owner_id from kr_units as k)') }}
),
{%- for level in range(1, max_depth + 1) %}

units_{{ level }} as (
    -- Child objectives scored so far, as units of their parent.
    select
        o.parent_id as owner_id,
        o.weight,
        s.score,
        s.expected_progress,
        s.status,
        s.start_date,
        s.end_date
    from level_{{ level - 1 }} as s
    inner join objectives as o on s.objective_id = o.objective_id
    where o.parent_id is not null
),

ready_{{ level }} as (
    -- Parents without KRs whose every child is scored and that are not scored yet.
    select u.owner_id
    from units_{{ level }} as u
    inner join child_counts as c on u.owner_id = c.objective_id
    where
        u.owner_id not in (select l.objective_id from level_{{ level - 1 }} as l)
        and u.owner_id not in (select k.owner_id from kr_units as k)
    group by u.owner_id, c.child_count
    having count(*) = c.child_count
),

level_{{ level }} as (
    select * from level_{{ level - 1 }}
    union all
    {{ okr_objective_rollup('units_' ~ level, 'objectives',
        'o.objective_id in (select r.owner_id from ready_' ~ level ~ ' as r)') }}
){% if not loop.last %},{% endif %}
{%- endfor %}

select
    o.as_of,
    o.objective_id,
    o.title,
    o.owner,
    o.team,
    o.parent_id,
    o.cycle,
    o.weight,
    case
        when o.objective_id in (select k.owner_id from kr_units as k) then 'team'
        else 'company'
    end as level,
    coalesce(c.child_count, 0) as child_count,
    s.unit_count,
    s.scored_count,
    s.start_date,
    s.end_date,
    s.score,
    s.expected_progress,
    s.expected_progress - s.score as gap,
    coalesce(s.status, 'no_data') as status
from objectives as o
left join level_{{ max_depth }} as s on o.objective_id = s.objective_id
left join child_counts as c on o.objective_id = c.objective_id
