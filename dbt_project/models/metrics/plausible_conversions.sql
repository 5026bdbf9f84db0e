-- Plausible goal conversions (unique visitors who completed the goal) per day and goal.
select
    report_date as metric_date,
    site_id,
    goal,
    cast(sum(conversions) as double precision) as value
from {{ ref('stg_plausible__daily_goals') }}
group by report_date, site_id, goal
