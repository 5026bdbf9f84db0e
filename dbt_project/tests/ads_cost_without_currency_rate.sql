{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'stg_ads__campaign_spends'}}}) }}
-- Ad costs in a currency the rates export has no rate for on their day: ad_spend leaves them
-- out until the rate is added (connectors/README.md, "Currencies").
select
    s.currency,
    min(s.spend_date) as first_day,
    max(s.spend_date) as last_day,
    count(*) as rows_without_rate
from {{ ref('stg_ads__campaign_spends') }} as s
where
    coalesce(s.currency, '') not in ('', '{{ var("workspace_currency") }}')
    and not exists (
        select 1
        from {{ ref('stg_okr__currency_rates') }} as r
        where r.currency = s.currency and r.rate_date <= s.spend_date
    )
group by s.currency
