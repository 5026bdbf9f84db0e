-- Plausible visits per day by source, UTM medium and UTM campaign.
select
    report_date as metric_date,
    site_id,
    source,
    medium,
    campaign,
    cast(sum(visits) as double precision) as value
from {{ ref('stg_plausible__daily_reports') }}
group by report_date, site_id, source, medium, campaign
