-- Ad spend per new lead (EUR), by campaign: spend and leads are matched on day and campaign.
with parts as (
    select
        metric_date,
        campaign,
        value as spend,
        0 as leads
    from {{ ref('ad_spend') }}
    union all
    select
        metric_date,
        campaign,
        0 as spend,
        value as leads
    from {{ ref('leads') }}
)

select
    metric_date,
    campaign,
    cast(sum(spend) as double precision) as numerator,
    cast(sum(leads) as double precision) as denominator,
    cast(sum(spend) as double precision) / nullif(sum(leads), 0) as value
from parts
group by metric_date, campaign
