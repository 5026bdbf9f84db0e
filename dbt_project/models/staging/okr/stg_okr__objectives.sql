select
    objective_id,
    title,
    owner,
    team,
    parent_id,
    cycle,
    cast(weight as double precision) as weight,
    cast(start_date as date) as start_date,
    cast(end_date as date) as end_date,
    cast(at_risk_threshold as double precision) as at_risk_threshold,
    cast(off_track_threshold as double precision) as off_track_threshold,
    source_file
from {{ source('okr', 'okr_objectives') }}
