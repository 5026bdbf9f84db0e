{#
  Every day's KR scores as published: one row per (as_of, KR), kept as they were unless a run
  replaces history (docs/scoring.md, "History"). A backfill adds all its days in one run.
#}
{{ config(
    materialized='incremental',
    unique_key='as_of',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
) }}

{{ okr_history('int_kr_forecasts_daily', okr_kr_score_columns()) }}
