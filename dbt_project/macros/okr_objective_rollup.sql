{#
  Score objectives from their units (KRs, or child objectives for a company objective) on each
  scoring day: score and expected progress are weighted means over the units that have a score;
  the status follows docs/scoring.md ("Objectives"). `units` needs as_of, owner_id, unit_id,
  weight, score, expected_progress, status, start_date, end_date; `objectives` needs as_of and the
  objective columns. `where` restricts which (as_of, objective) pairs (alias `o`) are scored.
#}
{% macro okr_objective_rollup(units, objectives, where) -%}
    select
        as_of,
        objective_id,
        unit_count,
        scored_count,
        start_date,
        end_date,
        score,
        expected_progress,
        case
            when not_started_count = unit_count then 'not_started'
            when scored_count = 0 then 'no_data'
            when as_of >= end_date
                then case when achieved_count = unit_count then 'achieved' else 'missed' end
            else {{ okr_gap_status('expected_progress', 'score', 'at_risk_threshold', 'off_track_threshold') }}
        end as status,
        dragging_unit_id
    from (
        select
            o.as_of,
            o.objective_id,
            count(*) as unit_count,
            count(u.score) as scored_count,
            sum(case when u.status = 'not_started' then 1 else 0 end) as not_started_count,
            sum(case when u.status = 'achieved' then 1 else 0 end) as achieved_count,
            min(u.start_date) as start_date,
            max(u.end_date) as end_date,
            max(o.at_risk_threshold) as at_risk_threshold,
            max(o.off_track_threshold) as off_track_threshold,
            {{ okr_weighted_mean('u.score', 'u.weight', 'u.score is not null') }} as score,
            {{ okr_weighted_mean('u.expected_progress', 'u.weight', 'u.score is not null') }} as expected_progress,
            -- The unit that drags the objective most: the largest weighted shortfall against
            -- its expected progress (ties: the smallest id).
            min(case when u.drag_rank = 1 and u.drag > 0 then u.unit_id end) as dragging_unit_id
        from {{ objectives }} as o
        inner join (
            select
                *,
                case when score is not null then weight * (expected_progress - score) end as drag,
                row_number() over (
                    partition by as_of, owner_id
                    order by
                        case when score is not null then weight * (expected_progress - score) end desc nulls last,
                        unit_id
                ) as drag_rank
            from {{ units }}
        ) as u on o.as_of = u.as_of and o.objective_id = u.owner_id
        where {{ where }}
        group by o.as_of, o.objective_id
    ) as rolled
{%- endmacro %}
