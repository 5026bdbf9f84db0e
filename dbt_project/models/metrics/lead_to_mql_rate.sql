-- MQLs per new lead, as flows on the same days: numerator = contacts that became MQL on the day,
-- denominator = new leads on the day. Counting flows (not the cohort of each day's leads) keeps a
-- past date exactly as it stood: a lead that converts later never changes an earlier day.
with flows as (
    select
        metric_date,
        lead_source,
        original_source,
        campaign,
        value as leads,
        0 as mqls
    from {{ ref('leads') }}
    union all
    select
        metric_date,
        lead_source,
        original_source,
        campaign,
        0 as leads,
        value as mqls
    from {{ ref('mqls') }}
)

select
    metric_date,
    lead_source,
    original_source,
    campaign,
    cast(sum(mqls) as double precision) as numerator,
    cast(sum(leads) as double precision) as denominator,
    cast(sum(mqls) as double precision) / nullif(sum(leads), 0) as value
from flows
group by metric_date, lead_source, original_source, campaign
