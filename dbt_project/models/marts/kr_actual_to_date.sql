{#
  Each KR's actual as it stood at the end of every day of its window that has data, for the
  "actual against target" chart. The same measures as kr_scores, as running windows, so the last
  row of a KR equals its actual in kr_scores and the value on day D is what scoring at as_of = D gave.
#}

with daily as (
    select
        kr_id,
        metric_date,
        sum(value) as value,
        sum(numerator) as numerator,
        sum(denominator) as denominator
    from {{ ref('kr_metric_days') }}
    group by kr_id, metric_date
),

running as (
    select
        d.kr_id,
        d.metric_date,
        k.measure,
        d.value as last_value,
        sum(d.value) over days_so_far as sum_value,
        avg(d.value) over days_so_far as avg_value,
        min(d.value) over days_so_far as min_value,
        max(d.value) over days_so_far as max_value,
        sum(d.numerator) over days_so_far as sum_numerator,
        sum(d.denominator) over days_so_far as sum_denominator
    from daily as d
    inner join {{ ref('stg_okr__key_results') }} as k on d.kr_id = k.kr_id
    window days_so_far as (
        partition by d.kr_id order by d.metric_date rows between unbounded preceding and current row
    )
)

select
    running.kr_id,
    running.metric_date,
    case
        {{ okr_measure_actual('running.measure', 'running', 'running.last_value') }}
    end as actual_to_date
from running
