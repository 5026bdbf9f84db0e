{#
  Score objectives from their units (KRs, or child objectives for a company objective):
  score and expected progress are weighted means over the units that have a score; the status
  follows docs/scoring.md ("Objectives"). `units` needs owner_id, weight, score,
  expected_progress, status, start_date, end_date; `objectives` needs the objective columns.
  `where` restricts which objectives (alias `o`) are scored in this pass.
#}
{% macro okr_objective_rollup(units, objectives, where) -%}
    select
        o.objective_id,
        count(*) as unit_count,
        count(u.score) as scored_count,
        min(u.start_date) as start_date,
        max(u.end_date) as end_date,
        sum(case when u.score is not null then u.weight * u.score end)
        / nullif(sum(case when u.score is not null then u.weight end), 0) as score,
        sum(case when u.score is not null then u.weight * u.expected_progress end)
        / nullif(sum(case when u.score is not null then u.weight end), 0) as expected_progress,
        case
            when sum(case when u.status = 'not_started' then 1 else 0 end) = count(*) then 'not_started'
            when count(u.score) = 0 then 'no_data'
            when max(o.as_of) >= max(u.end_date) then
                case
                    when sum(case when u.status = 'achieved' then 1 else 0 end) = count(*) then 'achieved'
                    else 'missed'
                end
            when
                sum(case when u.score is not null then u.weight * u.expected_progress end)
                / sum(case when u.score is not null then u.weight end)
                - sum(case when u.score is not null then u.weight * u.score end)
                / sum(case when u.score is not null then u.weight end)
                <= max(o.at_risk_threshold) + {{ okr_tolerance() }}
                then 'on_track'
            when
                sum(case when u.score is not null then u.weight * u.expected_progress end)
                / sum(case when u.score is not null then u.weight end)
                - sum(case when u.score is not null then u.weight * u.score end)
                / sum(case when u.score is not null then u.weight end)
                <= max(o.off_track_threshold) + {{ okr_tolerance() }}
                then 'at_risk'
            else 'off_track'
        end as status
    from {{ objectives }} as o
    inner join {{ units }} as u on o.objective_id = u.owner_id
    where {{ where }}
    group by o.objective_id
{%- endmacro %}
