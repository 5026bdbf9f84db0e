-- Advertising cost (EUR) per day by platform and campaign.
select
    spend_date as metric_date,
    platform,
    campaign,
    cast(sum(cost) as double precision) as value
from {{ ref('stg_ads__campaign_spends') }}
group by spend_date, platform, campaign
