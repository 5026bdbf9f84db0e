-- Return on ad spend: won revenue per euro of ad spend, over any window.
with parts as (
    select
        metric_date,
        value as revenue,
        0 as spend
    from {{ ref('won_revenue') }}
    union all
    select
        metric_date,
        0 as revenue,
        value as spend
    from {{ ref('ad_spend') }}
)

select
    metric_date,
    cast(sum(revenue) as double precision) as numerator,
    cast(sum(spend) as double precision) as denominator,
    cast(sum(revenue) as double precision) / nullif(sum(spend), 0) as value
from parts
group by metric_date
