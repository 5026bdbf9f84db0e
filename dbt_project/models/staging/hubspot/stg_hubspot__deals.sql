-- HubSpot deals with internal stage and pipeline values (closedwon, default).
select
    cast(deal_id as {{ dbt.type_string() }}) as deal_id,
    cast(deal_name as {{ dbt.type_string() }}) as deal_name,
    cast(deal_stage as {{ dbt.type_string() }}) as deal_stage,
    cast(pipeline as {{ dbt.type_string() }}) as pipeline,
    cast(amount as double precision) as amount,
    cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
    cast(close_date as date) as close_date
from {{ source('hubspot', 'hubspot_deals') }}
