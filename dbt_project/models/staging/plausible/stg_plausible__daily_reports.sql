-- Plausible visitors by day, source, utm_medium and utm_campaign (days without visits have no row).
select
    cast(report_date as date) as report_date,
    cast(site_id as {{ dbt.type_string() }}) as site_id,
    cast(source as {{ dbt.type_string() }}) as source,
    cast(utm_medium as {{ dbt.type_string() }}) as medium,
    cast(utm_campaign as {{ dbt.type_string() }}) as campaign,
    cast(visitors as {{ dbt.type_bigint() }}) as visitors,
    cast(visits as {{ dbt.type_bigint() }}) as visits,
    cast(pageviews as {{ dbt.type_bigint() }}) as pageviews,
    cast(bounce_rate as double precision) as bounce_rate_pct,
    cast(visit_duration as {{ dbt.type_bigint() }}) as visit_duration_seconds
from {{ source('plausible', 'plausible_daily_report') }}
