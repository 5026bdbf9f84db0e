{# Won Salesforce opportunities per close date, lead source and campaign: `measure` is what
   is summed (1 for a count, amount for revenue). Reports exported without the Won column
   count the standard "Closed Won" stage. #}
{% macro okr_salesforce_won(measure) %}
select
    close_date as metric_date,
    lead_source,
    campaign,
    cast(sum({{ measure }}) as double precision) as value
from {{ ref('stg_salesforce__opportunities') }}
where coalesce(is_won, stage = 'Closed Won') and close_date is not null
group by close_date, lead_source, campaign
{% endmacro %}
