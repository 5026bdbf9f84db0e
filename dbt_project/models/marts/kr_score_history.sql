{#
  Every nightly score, kept: one row per (as_of, KR). Rescoring a date replaces all of that
  date's rows (delete+insert on as_of, so a KR removed since is gone from that date too), so
  history is idempotent and a backfill rebuilds it.
#}
{{ config(
    materialized='incremental',
    unique_key='as_of',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
) }}

select * from {{ ref('kr_scores') }}
