-- Engaged sessions / sessions (GA4): a ratio metric, so KRs use measure: ratio over the window.
select
    report_date as metric_date,
    channel_group,
    source,
    medium,
    campaign,
    cast(sum(engaged_sessions) as double precision) as numerator,
    cast(sum(sessions) as double precision) as denominator,
    cast(sum(engaged_sessions) as double precision) / nullif(sum(sessions), 0) as value
from {{ ref('stg_ga4__daily_reports') }}
group by report_date, channel_group, source, medium, campaign
