select
    cast(seen_on as date) as seen_on,
    kr_id,
    cast(baseline as double precision) as baseline,
    cast(target as double precision) as target,
    cast(start_date as date) as start_date,
    cast(end_date as date) as end_date,
    change_reason,
    definition_json
from {{ source('okr', 'okr_definition_snapshots') }}
