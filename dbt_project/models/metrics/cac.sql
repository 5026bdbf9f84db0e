-- Customer acquisition cost (EUR): ad spend per deal won, over any window.
with parts as (
    select
        metric_date,
        value as spend,
        0 as customers
    from {{ ref('ad_spend') }}
    union all
    select
        metric_date,
        0 as spend,
        value as customers
    from {{ ref('won_deals') }}
)

select
    metric_date,
    cast(sum(spend) as double precision) as numerator,
    cast(sum(customers) as double precision) as denominator,
    cast(sum(spend) as double precision) / nullif(sum(customers), 0) as value
from parts
group by metric_date
