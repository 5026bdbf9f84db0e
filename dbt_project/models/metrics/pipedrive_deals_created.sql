-- Pipedrive deals on the day they were added, by pipeline and current status (deleted deals left out).
select
    cast(created_at as date) as metric_date,
    coalesce(pipeline_name, pipeline_id) as pipeline,
    status,
    cast(count(*) as double precision) as value
from {{ ref('stg_pipedrive__deals') }}
where created_at is not null and not coalesce(is_deleted, false)
group by cast(created_at as date), coalesce(pipeline_name, pipeline_id), status
