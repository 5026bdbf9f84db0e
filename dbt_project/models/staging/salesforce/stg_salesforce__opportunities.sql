-- Salesforce opportunities (REST API or a report export). Records deleted in Salesforce arrive
-- flagged from the API's queryAll and are left out here.
select
    cast(opportunity_id as {{ dbt.type_string() }}) as opportunity_id,
    cast(opportunity_name as {{ dbt.type_string() }}) as opportunity_name,
    cast(stage as {{ dbt.type_string() }}) as stage,
    cast(amount as double precision) as amount,
    cast(currency as {{ dbt.type_string() }}) as currency,
    cast(close_date as date) as close_date,
    cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
    cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at,
    cast(lead_source as {{ dbt.type_string() }}) as lead_source,
    cast(campaign as {{ dbt.type_string() }}) as campaign,
    cast(is_won as boolean) as is_won,
    cast(is_closed as boolean) as is_closed
from {{ source('salesforce', 'salesforce_opportunities') }}
where is_deleted is null or not is_deleted
