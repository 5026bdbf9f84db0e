{#
  The measures of docs/scoring.md ("Actual"), shared by KR scores, the running actual of the
  charts and initiative contributions, so that each is computed exactly like a KR's actual.
#}

{#- The daily step: one value per (keys, day) from rows of kr_metric_days (campaigns and any other
    dimension rows summed). Written once; every measure starts from it. -#}
{% macro okr_daily_values(rows, keys) -%}
    select
        {% for key in keys %}{{ key }},
        {% endfor -%}
        metric_date,
        {{ okr_exact_sum('value') }} as value,
        {{ okr_exact_sum('numerator') }} as numerator,
        {{ okr_exact_sum('denominator') }} as denominator
    from {{ rows }}
    group by {% for key in keys %}{{ key }}, {% endfor %}metric_date
{%- endmacro %}

{#- The aggregates over daily rows that every measure needs (use inside a group by). Sums are
    exact and the mean is their quotient, so no result depends on the order of the rows. -#}
{% macro okr_measure_aggregates(value='value', numerator='numerator', denominator='denominator') -%}
    count(*) as days_with_rows,
        {{ okr_exact_sum(value) }} as sum_value,
        {{ okr_exact_sum(value) }} / nullif(count({{ value }}), 0) as avg_value,
        min({{ value }}) as min_value,
        max({{ value }}) as max_value,
        {{ okr_exact_sum(numerator) }} as sum_numerator,
        {{ okr_exact_sum(denominator) }} as sum_denominator
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

{#- Progress of `actual` by the KR's type (docs/scoring.md, "Progress"): the progress formula, or
    1/0 for a threshold kept/broken (equality counts as kept, within the tolerance). -#}
{% macro okr_progress(actual) -%}
    case
            when kr_type = 'progress' then ({{ actual }} - baseline) / (target - baseline)
            when kr_type = 'stay_above'
                then case when {{ actual }} >= target - {{ okr_tolerance() }} * greatest(1, abs(target)) then 1.0 else 0.0 end
            when kr_type = 'stay_below'
                then case when {{ actual }} <= target + {{ okr_tolerance() }} * greatest(1, abs(target)) then 1.0 else 0.0 end
        end
{%- endmacro %}

{#- The in-period status from the gap between expected progress and score (KRs and objectives). -#}
{% macro okr_gap_status(expected, score, at_risk, off_track) -%}
    case
                when {{ expected }} - {{ score }} <= {{ at_risk }} + {{ okr_tolerance() }} then 'on_track'
                when {{ expected }} - {{ score }} <= {{ off_track }} + {{ okr_tolerance() }} then 'at_risk'
                else 'off_track'
            end
{%- endmacro %}
