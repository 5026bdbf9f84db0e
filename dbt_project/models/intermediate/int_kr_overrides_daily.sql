{#
  The check-in override in force for each key result on each scoring day (docs/scoring.md,
  "Overrides"): the newest `override: true` check-in dated inside the KR's window, as long as no
  data day of the KR follows it inside that window. Its value replaces the actual in
  int_kr_scores_daily from its day on, until the next day the KR's metric has rows.
#}

with overrides as (
    select
        kr_id,
        checkin_date,
        value,
        note,
        author
    from {{ ref('stg_okr__checkins') }}
    where is_override and value is not null
),

ended as (
    -- Each override with the first data day after it (null while none has come yet).
    select
        o.kr_id,
        o.checkin_date,
        o.value,
        o.note,
        o.author,
        min(d.metric_date) as next_data_day
    from overrides as o
    left join {{ ref('int_kr_daily_values') }} as d
        on o.kr_id = d.kr_id and o.checkin_date < d.metric_date
    group by o.kr_id, o.checkin_date, o.value, o.note, o.author
),

in_force as (
    select
        k.as_of,
        k.kr_id,
        e.checkin_date,
        e.value,
        e.note,
        e.author,
        row_number() over (partition by k.as_of, k.kr_id order by e.checkin_date desc) as recency
    from {{ ref('int_kr_definitions') }} as k
    inner join ended as e
        on
            k.kr_id = e.kr_id
            and k.start_date <= e.checkin_date
            and k.window_end >= e.checkin_date
            and (e.next_data_day is null or k.window_end < e.next_data_day)
)

select
    as_of,
    kr_id,
    checkin_date as override_date,
    value as override_value,
    note as override_note,
    author as override_author
from in_force
where recency = 1
