{#
  The expected-progress curve of each KR with a seasonal or monthly pace as defined at as_of
  (docs/scoring.md, "Pace"), every day of its period: what the KR page draws as its pace line.
  Linear KRs and seasonal ones that fell back to linear have no rows (their line is straight).
#}

select
    c.kr_id,
    c.curve_date,
    c.pace_method,
    c.cumulative_share,
    c.cumulative_share
    * case when k.commitment = 'aspirational' then {{ okr_aspirational_factor() }} else 1.0 end as expected_progress
from {{ ref('int_kr_pace_curves') }} as c
inner join {{ ref('int_kr_definitions') }} as k
    on
        c.kr_id = k.kr_id
        and c.pace = k.pace
        and c.start_date = k.start_date
        and c.end_date = k.end_date
        and c.pace_seen_on is not distinct from k.pace_seen_on
where k.as_of = {{ okr_as_of() }} and k.kr_type = 'progress' and c.pace_warning is null
