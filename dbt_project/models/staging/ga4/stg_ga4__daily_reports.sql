-- GA4 traffic by day, channel group, source, medium and campaign (from the Data API or a UI export).
select
    cast(report_date as date) as report_date,
    cast(channel_group as {{ dbt.type_string() }}) as channel_group,
    cast(source as {{ dbt.type_string() }}) as source,
    cast(medium as {{ dbt.type_string() }}) as medium,
    cast(campaign as {{ dbt.type_string() }}) as campaign,
    cast(sessions as {{ dbt.type_bigint() }}) as sessions,
    cast(total_users as {{ dbt.type_bigint() }}) as total_users,
    cast(new_users as {{ dbt.type_bigint() }}) as new_users,
    cast(engaged_sessions as {{ dbt.type_bigint() }}) as engaged_sessions,
    cast(key_events as {{ dbt.type_bigint() }}) as key_events
from {{ source('ga4', 'ga4_daily_report') }}
