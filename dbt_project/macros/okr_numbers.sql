{#
  Floating-point care for the status boundaries. Scores are doubles; a gap that is exactly the
  threshold on paper can come out as 0.10000000000000003. Comparisons allow this tolerance so a
  boundary lands on the documented side (gap <= at_risk is on track).
#}
{% macro okr_tolerance() -%}
    0.000000001
{%- endmacro %}

{% macro okr_double() -%}
    double precision
{%- endmacro %}

{#- Days from a to b inclusive of both ends, as an integer (b - a + 1). -#}
{% macro okr_days_inclusive(a, b) -%}
    ({{ dbt.datediff(a, b, 'day') }} + 1)
{%- endmacro %}
