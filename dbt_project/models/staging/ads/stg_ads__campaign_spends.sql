-- Ad metrics per day, platform, account and campaign: the ad-platform APIs and hand exports.
-- An API is the record for every platform-day it loaded: export rows of the same platform and
-- day are left out, so a platform fed both ways is never counted twice.
-- The platforms' raw tables are read directly (not through their stg_ models) so that a
-- platform that is switched off, its table empty, blocks no KR: the checks run on this union.
with api as (
    {{ okr_ad_campaign_days('google_ads', 'google_ads_campaign_days') }}
    union all
    {{ okr_ad_campaign_days('meta_ads', 'meta_ads_campaign_days') }}
    union all
    {{ okr_ad_campaign_days('linkedin_ads', 'linkedin_ads_campaign_days') }}
),

exported as (
    select
        cast(e.spend_date as date) as spend_date,
        cast(e.platform as {{ dbt.type_string() }}) as platform,
        cast(coalesce(e.account, '') as {{ dbt.type_string() }}) as account,
        cast(coalesce(e.campaign, '') as {{ dbt.type_string() }}) as campaign_id,
        cast(coalesce(e.campaign, '') as {{ dbt.type_string() }}) as campaign,
        cast(e.impressions as {{ dbt.type_bigint() }}) as impressions,
        cast(e.clicks as {{ dbt.type_bigint() }}) as clicks,
        cast(e.cost as double precision) as cost,
        cast(e.currency as {{ dbt.type_string() }}) as currency,
        cast(e.conversions as double precision) as conversions,
        cast(e.conversions_value as double precision) as conversions_value
    from {{ source('ads', 'ad_spend') }} as e
    where not exists (
        select 1 from api
        where api.platform = e.platform and api.spend_date = cast(e.spend_date as date)
    )
)

select
    spend_date,
    platform,
    account,
    campaign_id,
    campaign,
    impressions,
    clicks,
    cost,
    currency,
    conversions,
    conversions_value,
    'api' as loaded_from
from api
union all
select
    spend_date,
    platform,
    account,
    campaign_id,
    campaign,
    impressions,
    clicks,
    cost,
    currency,
    conversions,
    conversions_value,
    'export' as loaded_from
from exported
