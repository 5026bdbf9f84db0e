{#
  How far each metric's data reaches at as_of, through its lineage (the earliest freshness of
  the sources it reads; see intermediate/int_metric_freshness.sql). Check-ins are one metric
  shared by many KRs, so their freshness is per KR (kr_id).
#}
select
    metric,
    kr_id,
    data_through,
    freshness_source,
    failed_source,
    failed_error
from {{ ref('int_metric_freshness') }}
where as_of = {{ okr_as_of() }}
