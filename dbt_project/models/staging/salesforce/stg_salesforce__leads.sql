-- Salesforce leads (REST API); deleted records left out. No personal data but an e-mail hash.
select
    cast(lead_id as {{ dbt.type_string() }}) as lead_id,
    cast(email_hash as {{ dbt.type_string() }}) as email_hash,
    cast(status as {{ dbt.type_string() }}) as status,
    cast(lead_source as {{ dbt.type_string() }}) as lead_source,
    cast(is_converted as boolean) as is_converted,
    cast(converted_date as date) as converted_date,
    cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
    cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at
from {{ source('salesforce', 'salesforce_leads') }}
where is_deleted is null or not is_deleted
