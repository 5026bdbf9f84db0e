-- Matomo visits summary per day (days without visits have no row).
select
    cast(report_date as date) as report_date,
    cast(site_id as {{ dbt.type_string() }}) as site_id,
    cast(nb_visits as {{ dbt.type_bigint() }}) as visits,
    cast(nb_uniq_visitors as {{ dbt.type_bigint() }}) as unique_visitors,
    cast(nb_actions as {{ dbt.type_bigint() }}) as actions,
    cast(nb_visits_converted as {{ dbt.type_bigint() }}) as converted_visits,
    cast(bounce_count as {{ dbt.type_bigint() }}) as bounces,
    cast(sum_visit_length as {{ dbt.type_bigint() }}) as visit_seconds,
    cast(bounce_rate as double precision) as bounce_rate_pct
from {{ source('matomo', 'matomo_daily_report') }}
