{# The staging select of an ad platform's raw campaign-day table (google_ads, meta_ads,
   linkedin_ads all write the same columns: connectors/ad_platforms.py). Rename and cast only. #}
{% macro okr_ad_campaign_days(source_name, table_name) %}
select
    cast(spend_date as date) as spend_date,
    cast(platform as {{ dbt.type_string() }}) as platform,
    cast(account as {{ dbt.type_string() }}) as account,
    cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
    cast(campaign as {{ dbt.type_string() }}) as campaign,
    cast(impressions as {{ dbt.type_bigint() }}) as impressions,
    cast(clicks as {{ dbt.type_bigint() }}) as clicks,
    cast(cost as double precision) as cost,
    cast(currency as {{ dbt.type_string() }}) as currency,
    cast(conversions as double precision) as conversions,
    cast(conversions_value as double precision) as conversions_value
from {{ source(source_name, table_name) }}
{% endmacro %}
