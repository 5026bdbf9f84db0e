-- New Salesforce pipeline: the amount of opportunities on the day they were created, by their
-- current stage, lead source and campaign (the Salesforce counterpart of pipeline_created).
select
    cast(created_at as date) as metric_date,
    stage,
    lead_source,
    campaign,
    cast(sum(coalesce(amount, 0)) as double precision) as value
from {{ ref('stg_salesforce__opportunities') }}
where created_at is not null
group by cast(created_at as date), stage, lead_source, campaign
