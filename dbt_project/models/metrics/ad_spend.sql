-- Advertising cost per day by platform, account and campaign, in the workspace currency
-- (var workspace_currency). A cost kept in another currency is converted at the rate of the
-- user's rates export that applies on its day (the latest rate_date on or before it); a cost
-- without such a rate is left out and the ads_cost_without_currency_rate test names it.
with spend as (
    select
        s.spend_date,
        s.platform,
        s.account,
        s.campaign,
        s.cost,
        case
            when coalesce(s.currency, '') in ('', '{{ var("workspace_currency") }}') then 1.0
            else (
                select r.rate
                from {{ ref('stg_okr__currency_rates') }} as r
                where r.currency = s.currency and r.rate_date <= s.spend_date
                order by r.rate_date desc
                limit 1
            )
        end as rate
    from {{ ref('stg_ads__campaign_spends') }} as s
)

select
    spend_date as metric_date,
    platform,
    account,
    campaign,
    cast(sum(cost * rate) as double precision) as value
from spend
where rate is not null
group by spend_date, platform, account, campaign
