-- Matomo unique visitors per day and site (a KR's window sums days: a visitor who came on two
-- days counts twice; Matomo reports no unique count over a range unless configured to).
select
    report_date as metric_date,
    site_id,
    cast(sum(coalesce(unique_visitors, 0)) as double precision) as value
from {{ ref('stg_matomo__daily_reports') }}
group by report_date, site_id
