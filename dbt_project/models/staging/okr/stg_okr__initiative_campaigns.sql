select
    kr_id,
    cast(initiative_no as integer) as initiative_no,
    campaign
from {{ source('okr', 'okr_initiative_campaigns') }}
