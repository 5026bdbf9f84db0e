select
    kr_id,
    cast(initiative_no as integer) as initiative_no,
    title,
    owner,
    status,
    cast(due_date as date) as due_date
from {{ source('okr', 'okr_initiatives') }}
