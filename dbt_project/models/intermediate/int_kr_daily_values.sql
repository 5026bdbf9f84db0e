{#
  The daily step, written once: one value per KR and day (campaigns and other dimension rows
  summed exactly). Every measure, the charts' running actual and the forecast start from it.
#}
{{ okr_daily_values(ref('kr_metric_days'), ['kr_id']) }}
