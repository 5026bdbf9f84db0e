-- Plausible goal conversions by day and goal (days without conversions have no row).
select
    cast(report_date as date) as report_date,
    cast(site_id as {{ dbt.type_string() }}) as site_id,
    cast(goal as {{ dbt.type_string() }}) as goal,
    cast(conversions as {{ dbt.type_bigint() }}) as conversions,
    cast(events as {{ dbt.type_bigint() }}) as events
from {{ source('plausible', 'plausible_daily_goals') }}
