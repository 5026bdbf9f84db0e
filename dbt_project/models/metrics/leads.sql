-- New leads: contacts by the day they became a lead (the create date when HubSpot has no lead date,
-- which happens for contacts created directly at a later stage).
select
    cast(coalesce(became_lead_at, created_at) as date) as metric_date,
    lead_source,
    original_source,
    campaign,
    cast(count(*) as double precision) as value
from {{ ref('stg_hubspot__contacts') }}
where coalesce(became_lead_at, created_at) is not null
group by cast(coalesce(became_lead_at, created_at) as date), lead_source, original_source, campaign
