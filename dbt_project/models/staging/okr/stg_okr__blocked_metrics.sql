select
    metric,
    severity,
    reason
from {{ source('okr', 'okr_blocked_metrics') }}
