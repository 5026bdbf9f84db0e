-- HubSpot contacts without personal data: the e-mail only as a sha256 hash (computed by the
-- loader, which never stores the address); names and phone numbers are never loaded.
select
    cast(contact_id as {{ dbt.type_string() }}) as contact_id,
    cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
    cast(lifecycle_stage as {{ dbt.type_string() }}) as lifecycle_stage,
    cast(lead_status as {{ dbt.type_string() }}) as lead_status,
    cast(original_source as {{ dbt.type_string() }}) as original_source,
    cast(lead_source as {{ dbt.type_string() }}) as lead_source,
    cast(original_source_drilldown_2 as {{ dbt.type_string() }}) as campaign,
    cast(became_lead_at as {{ dbt.type_timestamp() }}) as became_lead_at,
    cast(became_mql_at as {{ dbt.type_timestamp() }}) as became_mql_at,
    cast(became_sql_at as {{ dbt.type_timestamp() }}) as became_sql_at,
    cast(became_customer_at as {{ dbt.type_timestamp() }}) as became_customer_at,
    cast(email_hash as {{ dbt.type_string() }}) as email_hash
from {{ source('hubspot', 'hubspot_contacts') }}
