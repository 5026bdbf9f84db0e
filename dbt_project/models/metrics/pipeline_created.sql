-- New pipeline (EUR): the amount of deals on the day they were created, by their current stage.
select
    cast(created_at as date) as metric_date,
    pipeline,
    deal_stage,
    cast(sum(coalesce(amount, 0)) as double precision) as value
from {{ ref('stg_hubspot__deals') }}
where created_at is not null
group by cast(created_at as date), pipeline, deal_stage
