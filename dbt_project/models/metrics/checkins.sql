-- Values checked in by hand (okrs/checkins.csv) for goals no system measures. A KR on this metric
-- is filtered to its own kr_id automatically. Check-ins that give only a confidence or a note
-- (allowed on any KR) carry no value and are not part of the metric.
select
    checkin_date as metric_date,
    kr_id,
    cast(sum(value) as double precision) as value
from {{ ref('stg_okr__checkins') }}
where value is not null
group by checkin_date, kr_id
