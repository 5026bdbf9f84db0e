{#
  Every nightly score, kept: one row per (as_of, KR). Rescoring a date replaces that date's
  rows (delete+insert on the unique key), so history is idempotent and a backfill rebuilds it.
#}
{{ config(
    materialized='incremental',
    unique_key=['as_of', 'kr_id'],
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
) }}

select * from {{ ref('kr_scores') }}
