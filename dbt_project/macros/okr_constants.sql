{#
  The scoring constants, defined once as vars in dbt_project.yml (the Python validator reads its
  default thresholds from the same place: pipelines/scoring_constants.py).
#}
{% macro okr_aspirational_factor() -%}
    {{ return(var('okr_aspirational_factor')) }}
{%- endmacro %}

{% macro okr_run_rate_days() -%}
    {{ return(var('okr_run_rate_days')) }}
{%- endmacro %}

{% macro okr_forecast_sample_days() -%}
    {{ return(var('okr_forecast_sample_days')) }}
{%- endmacro %}

{% macro okr_default_at_risk() -%}
    {{ return(var('okr_default_at_risk')) }}
{%- endmacro %}

{% macro okr_default_off_track() -%}
    {{ return(var('okr_default_off_track')) }}
{%- endmacro %}
