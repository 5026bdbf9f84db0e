-- Deals closed won, counted on their close date.
select
    close_date as metric_date,
    pipeline,
    cast(count(*) as double precision) as value
from {{ ref('stg_hubspot__deals') }}
where deal_stage = 'closedwon' and close_date is not null
group by close_date, pipeline
