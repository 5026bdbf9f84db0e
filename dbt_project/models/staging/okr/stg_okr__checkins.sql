select
    kr_id,
    cast(checkin_date as date) as checkin_date,
    cast(value as double precision) as value,
    note
from {{ source('okr', 'okr_checkins') }}
