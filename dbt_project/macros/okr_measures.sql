{#
  The measures of docs/scoring.md ("Actual"), shared by KR scores and initiative contributions
  so that an initiative's contribution is computed exactly like its KR's actual.
#}

{#- The aggregates over daily rows that every measure needs (use inside a group by). -#}
{% macro okr_measure_aggregates() -%}
    count(*) as days_with_rows,
        sum(value) as sum_value,
        avg(value) as avg_value,
        min(value) as min_value,
        max(value) as max_value,
        sum(numerator) as sum_numerator,
        sum(denominator) as sum_denominator
{%- endmacro %}

{#- WHEN branches giving the actual for `measure` from those aggregates (alias `agg`) and the
    latest day's value; wrap in a CASE. A window without rows sums to 0 and is null otherwise. -#}
{% macro okr_measure_actual(measure, agg, last_value) -%}
    when {{ measure }} = 'sum' then coalesce({{ agg }}.sum_value, 0)
            when {{ measure }} = 'avg' then {{ agg }}.avg_value
            when {{ measure }} = 'last' then {{ last_value }}
            when {{ measure }} = 'min' then {{ agg }}.min_value
            when {{ measure }} = 'max' then {{ agg }}.max_value
            when {{ measure }} = 'ratio' then {{ agg }}.sum_numerator / nullif({{ agg }}.sum_denominator, 0)
{%- endmacro %}
