-- Contacts that became marketing qualified leads, by the day they did.
select
    cast(became_mql_at as date) as metric_date,
    lead_source,
    original_source,
    campaign,
    cast(count(*) as double precision) as value
from {{ ref('stg_hubspot__contacts') }}
where became_mql_at is not null
group by cast(became_mql_at as date), lead_source, original_source, campaign
