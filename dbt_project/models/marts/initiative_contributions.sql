{#
  What each initiative adds to its key result: the KR's actual computed with the KR's own
  measure over the rows of the initiative's campaigns only (docs/scoring.md, "Initiatives").
  Initiatives without campaigns, or on a metric without a campaign column, have a null
  contribution but are still listed with their status and overdue flag.
#}

with initiatives as (
    select
        i.kr_id,
        i.initiative_no,
        i.title,
        i.owner,
        i.status,
        i.due_date,
        k.measure,
        k.as_of,
        k.status as kr_status
    from {{ ref('stg_okr__initiatives') }} as i
    inner join {{ ref('kr_scores') }} as k on i.kr_id = k.kr_id
),

campaign_rows as (
    -- The KR's rows of the initiative's campaigns, inside the KR's window at as_of.
    select
        c.kr_id,
        c.initiative_no,
        d.metric_date,
        d.value,
        d.numerator,
        d.denominator
    from {{ ref('stg_okr__initiative_campaigns') }} as c
    inner join {{ ref('kr_metric_days') }} as d
        on c.kr_id = d.kr_id and c.campaign = d.campaign
    inner join {{ ref('kr_scores') }} as k
        on c.kr_id = k.kr_id and d.metric_date >= k.start_date and d.metric_date <= k.window_end
),

campaign_days as (
    -- One value per day (the daily step, as for the KR itself).
    {{ okr_daily_values('campaign_rows', ['kr_id', 'initiative_no']) }}
),

ranked as (
    select
        kr_id,
        initiative_no,
        value,
        row_number() over (partition by kr_id, initiative_no order by metric_date desc) as recency
    from campaign_days
),

aggregates as (
    select
        kr_id,
        initiative_no,
        {{ okr_measure_aggregates() }}
    from campaign_days
    group by kr_id, initiative_no
),

campaign_lists as (
    select
        kr_id,
        initiative_no,
        count(*) as campaign_count,
        {{ dbt.listagg('campaign', "', '", "order by campaign") }} as campaigns
    from {{ ref('stg_okr__initiative_campaigns') }}
    group by kr_id, initiative_no
)

select
    i.as_of,
    i.kr_id,
    i.initiative_no,
    i.title,
    i.owner,
    i.status,
    i.due_date,
    cl.campaigns,
    case
        when cl.campaign_count is null or i.kr_status = 'not_started' then null
        {{ okr_measure_actual('i.measure', 'a', 'r.value') }}
    end as contribution,
    coalesce(i.due_date < i.as_of and i.status not in ('done', 'dropped'), false) as is_overdue
from initiatives as i
left join campaign_lists as cl on i.kr_id = cl.kr_id and i.initiative_no = cl.initiative_no
left join aggregates as a on i.kr_id = a.kr_id and i.initiative_no = a.initiative_no
left join ranked as r on i.kr_id = r.kr_id and i.initiative_no = r.initiative_no and r.recency = 1
