{#
  The scoring dates of this run, read from raw.okr_run_context (one row, written by the pipeline
  before every dbt call: pipelines/transform/run_context.py). They are data, not a dbt var, so
  that a new date never invalidates dbt's partial parsing.

  okr_as_of():      the newest scoring date of the run (the day the scorecard shows).
  okr_as_of_from(): the oldest scoring date of the run (equal to okr_as_of() on a normal night;
                    earlier in a backfill over a range).
#}
{% macro okr_as_of() -%}
    (select max(as_of_to) from {{ source('okr', 'okr_run_context') }})
{%- endmacro %}

{% macro okr_as_of_from() -%}
    (select min(as_of_from) from {{ source('okr', 'okr_run_context') }})
{%- endmacro %}
