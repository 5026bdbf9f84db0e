-- Advertising spend by day, platform and campaign (from the agency's export).
select
    cast(spend_date as date) as spend_date,
    cast(platform as {{ dbt.type_string() }}) as platform,
    cast(campaign as {{ dbt.type_string() }}) as campaign,
    cast(impressions as {{ dbt.type_bigint() }}) as impressions,
    cast(clicks as {{ dbt.type_bigint() }}) as clicks,
    cast(cost as double precision) as cost
from {{ source('ads', 'ad_spend') }}
