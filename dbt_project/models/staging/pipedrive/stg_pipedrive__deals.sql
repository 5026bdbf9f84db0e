-- Pipedrive deals (API v2 or a deals export): the API carries stage/pipeline ids, exports names.
select
    cast(deal_id as {{ dbt.type_string() }}) as deal_id,
    cast(title as {{ dbt.type_string() }}) as deal_title,
    cast(status as {{ dbt.type_string() }}) as status,
    cast(stage_id as {{ dbt.type_string() }}) as stage_id,
    cast(stage_name as {{ dbt.type_string() }}) as stage_name,
    cast(pipeline_id as {{ dbt.type_string() }}) as pipeline_id,
    cast(pipeline_name as {{ dbt.type_string() }}) as pipeline_name,
    cast(value as double precision) as amount,
    cast(currency as {{ dbt.type_string() }}) as currency,
    cast(owner_id as {{ dbt.type_string() }}) as owner_id,
    cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
    cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at,
    cast(won_at as {{ dbt.type_timestamp() }}) as won_at,
    cast(lost_at as {{ dbt.type_timestamp() }}) as lost_at,
    cast(expected_close_date as date) as expected_close_date,
    cast(is_deleted as boolean) as is_deleted
from {{ source('pipedrive', 'pipedrive_deals') }}
