-- Plausible unique visitors per day by source, UTM medium and UTM campaign (a KR's window sums
-- days: a visitor who came on two days counts twice).
select
    report_date as metric_date,
    site_id,
    source,
    medium,
    campaign,
    cast(sum(visitors) as double precision) as value
from {{ ref('stg_plausible__daily_reports') }}
group by report_date, site_id, source, medium, campaign
