-- The user's exchange rates (an export they keep up to date, like the check-ins: a workspace
-- input rather than a data source, so an empty table blocks nothing).
select
    cast(rate_date as date) as rate_date,
    cast(upper(trim(currency)) as {{ dbt.type_string() }}) as currency,
    cast(rate as double precision) as rate
from {{ source('okr', 'currency_rates') }}
