-- Matomo visits that converted at least one goal, per day and site.
select
    report_date as metric_date,
    site_id,
    cast(sum(converted_visits) as double precision) as value
from {{ ref('stg_matomo__daily_reports') }}
group by report_date, site_id
