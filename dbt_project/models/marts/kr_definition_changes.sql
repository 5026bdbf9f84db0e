{#
  Course corrections: each change of a KR's target, baseline, start or end between runs, dated
  the first day the new value was seen (docs/scoring.md, "Definition changes").
  Scores always use the current definitions; this table only tells the story. Snapshots are
  dated by the day a run saw them (not its as_of), so backfills of past dates add no false changes.
#}
-- Layout is checked on one rendering of the Jinja loop (sqlfluff renders it once).
-- noqa: disable=LT02

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
    {#- One branch per tracked field; numbers and dates keep their own typed columns. #}
    {%- for field, col, kind in [
        ('target', 'target', 'number'), ('baseline', 'baseline', 'number'),
        ('start', 'start_date', 'date'), ('end', 'end_date', 'date')] %}
    select
        kr_id,
        seen_on as changed_on,
        '{{ field }}' as field,
        {% if kind == 'number' -%}
        prev_{{ col }} as old_number,
        {{ col }} as new_number,
        cast(null as date) as old_date,
        cast(null as date) as new_date,
        {%- else -%}
        cast(null as {{ okr_double() }}) as old_number,
        cast(null as {{ okr_double() }}) as new_number,
        prev_{{ col }} as old_date,
        {{ col }} as new_date,
        {%- endif %}
        change_reason
    from snapshots
    where seen_no > 1 and prev_{{ col }} is distinct from {{ col }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
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
