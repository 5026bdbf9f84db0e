{#
  The scoring dates of this run, one row per day from okr_as_of_from() to okr_as_of(): a night
  scores one day, a backfill every day of its range in the same queries (set-based over this
  spine, not one run per day).
#}

with recursive days as (
    select cast({{ okr_as_of_from() }} as date) as as_of
    union all
    select cast({{ dbt.dateadd('day', 1, 'as_of') }} as date) as as_of
    from days
    where as_of < {{ okr_as_of() }}
)

select as_of from days
