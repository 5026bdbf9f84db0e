-- Converted visits per visit (Matomo): a ratio metric, so KRs use measure: ratio over the window.
select
    report_date as metric_date,
    site_id,
    cast(sum(converted_visits) as double precision) as numerator,
    cast(sum(visits) as double precision) as denominator,
    cast(sum(converted_visits) as double precision) / nullif(sum(visits), 0) as value
from {{ ref('stg_matomo__daily_reports') }}
group by report_date, site_id
