{# A daily ad metric: the sum of `column` of stg_ads__campaign_spends per day, platform, account
   and campaign (every ad platform, API or export). #}
{% macro okr_ad_metric(column) %}
select
    spend_date as metric_date,
    platform,
    account,
    campaign,
    cast(sum(coalesce({{ column }}, 0)) as double precision) as value
from {{ ref('stg_ads__campaign_spends') }}
group by spend_date, platform, account, campaign
{% endmacro %}
