select
    kr_id,
    cast(checkin_date as date) as checkin_date,
    cast(value as double precision) as value,
    note,
    cast(confidence_score as integer) as confidence_score,
    confidence_level,
    author,
    cast(is_override as boolean) as is_override,
    cast(source_line as integer) as source_line
from {{ source('okr', 'okr_checkins') }}
