select
    cast(seen_on as date) as seen_on,
    kr_id,
    cast(month_start as date) as month_start,
    cast(share as double precision) as share
from {{ source('okr', 'okr_kr_pace_shares') }}
