{#
  Each KR's actual as it stood at the end of every day of its window that has data, for the
  "actual against target" chart. The same measures as kr_scores, as running windows over the
  same daily values and with the same exact sums, so the last row of a KR equals its actual in
  kr_scores and the value on day D is what scoring at as_of = D gave: on a data day that is also
  the day of a check-in override, the override's value (docs/scoring.md, "Overrides"; an earlier
  override has ended by then, so only one dated that day can be in force).
#}

with running as (
    select
        d.kr_id,
        d.metric_date,
        k.measure,
        d.value as last_value,
        cast(sum(cast(d.value as decimal(38, 18))) over days_so_far as {{ okr_double() }}) as sum_value,
        count(d.value) over days_so_far as value_count,
        min(d.value) over days_so_far as min_value,
        max(d.value) over days_so_far as max_value,
        cast(sum(cast(d.numerator as decimal(38, 18))) over days_so_far as {{ okr_double() }}) as sum_numerator,
        cast(sum(cast(d.denominator as decimal(38, 18))) over days_so_far as {{ okr_double() }}) as sum_denominator
    from {{ ref('int_kr_daily_values') }} as d
    inner join {{ ref('kr_scores') }} as k
        on d.kr_id = k.kr_id and d.metric_date >= k.start_date and d.metric_date <= k.window_end
    window days_so_far as (
        partition by d.kr_id order by d.metric_date rows between unbounded preceding and current row
    )
),

measured as (
    select
        *,
        sum_value / nullif(value_count, 0) as avg_value
    from running
),

overrides as (
    select
        kr_id,
        checkin_date,
        value
    from {{ ref('stg_okr__checkins') }}
    where is_override and value is not null
)

select
    measured.kr_id,
    measured.metric_date,
    case
        when o.value is not null then o.value
        {{ okr_measure_actual('measured.measure', 'measured', 'measured.last_value') }}
    end as actual_to_date
from measured
left join overrides as o on measured.kr_id = o.kr_id and measured.metric_date = o.checkin_date
