-- GA4 key events (conversions) per day by channel group, source, medium and campaign.
select
    report_date as metric_date,
    channel_group,
    source,
    medium,
    campaign,
    cast(sum(key_events) as double precision) as value
from {{ ref('stg_ga4__daily_reports') }}
group by report_date, channel_group, source, medium, campaign
