{#
  Every nightly objective score, one row per (as_of, objective); rescoring a date replaces it.
#}
{{ config(
    materialized='incremental',
    unique_key='as_of',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
) }}

select * from {{ ref('objective_scores') }}
