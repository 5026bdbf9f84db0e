-- Value of Pipedrive deals won, on the day they were won, by pipeline and currency (filter on
-- one currency: amounts in different currencies do not add up).
select
    cast(won_at as date) as metric_date,
    coalesce(pipeline_name, pipeline_id) as pipeline,
    currency,
    cast(sum(coalesce(amount, 0)) as double precision) as value
from {{ ref('stg_pipedrive__deals') }}
where status = 'won' and won_at is not null and not coalesce(is_deleted, false)
group by cast(won_at as date), coalesce(pipeline_name, pipeline_id), currency
