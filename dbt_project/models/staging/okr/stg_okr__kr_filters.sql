select
    kr_id,
    column_name,
    filter_value
from {{ source('okr', 'okr_kr_filters') }}
