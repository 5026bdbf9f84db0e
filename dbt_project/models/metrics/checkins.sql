-- Values checked in by hand (okrs/checkins.csv) for goals no system measures. A KR on this metric
-- is filtered to its own kr_id automatically.
select
    checkin_date as metric_date,
    kr_id,
    cast(sum(value) as double precision) as value
from {{ ref('stg_okr__checkins') }}
group by checkin_date, kr_id
