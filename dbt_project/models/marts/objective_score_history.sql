{#
  Every day's objective scores as published: one row per (as_of, objective), kept as they were
  unless a run replaces history (docs/scoring.md, "History").
#}
{{ config(
    materialized='incremental',
    unique_key='as_of',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
) }}

{{ okr_history('int_objective_scores_daily', okr_objective_score_columns()) }}
