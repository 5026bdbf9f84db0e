-- Salesforce contacts (REST API); deleted records left out. No personal data but an e-mail hash.
select
    cast(contact_id as {{ dbt.type_string() }}) as contact_id,
    cast(email_hash as {{ dbt.type_string() }}) as email_hash,
    cast(lead_source as {{ dbt.type_string() }}) as lead_source,
    cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
    cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at
from {{ source('salesforce', 'salesforce_contacts') }}
where is_deleted is null or not is_deleted
