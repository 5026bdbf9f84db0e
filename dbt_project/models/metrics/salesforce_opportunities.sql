-- Salesforce opportunities on the day they were created, by current stage, lead source and campaign.
select
    cast(created_at as date) as metric_date,
    stage,
    lead_source,
    campaign,
    cast(count(*) as double precision) as value
from {{ ref('stg_salesforce__opportunities') }}
where created_at is not null
group by cast(created_at as date), stage, lead_source, campaign
