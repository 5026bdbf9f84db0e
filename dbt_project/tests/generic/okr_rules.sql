{#-
  Every row rule of a scoring model in one test: one query, one dbt node and one Dagster check per
  model. dbt's cost per test node (compile, run, events, a Dagster check) was most of the scoring
  step's test time, with 47 tests of a column or a rule each (docs/scoring.md, "Checks").

    not_null: [columns]                   each must be filled
    unique: [columns]                     the combination occurs once
    accepted_values: {column: [values]}   a filled value is one of these
    between: {column: [min, max]}         a filled value lies in [min, max] (numbers or columns)

  One failing row per broken rule and row (per duplicated combination for `unique`): `failed_rule`
  names the rule and its columns, `failing_row` the row by its key (the `unique` columns, else
  the `not_null` ones) and, for a value rule, the value.
-#}
{% test okr_rules(model, not_null=[], unique=[], accepted_values={}, between={}) %}
{%- set key = unique or not_null -%}
{%- set ns = namespace(first=true) -%}

{%- if not_null %}
    select
        concat('not null: ', concat_ws(', '
            {%- for column in not_null %},
            case when {{ column }} is null then '{{ column }}' end
            {%- endfor %})) as failed_rule,
        {{ okr_rules_row(key) }} as failing_row
    from {{ model }}
    where
        {%- for column in not_null %}
        {% if not loop.first %}or {% endif %}{{ column }} is null
        {%- endfor %}
    {%- set ns.first = false %}
{%- endif %}

{%- if unique %}
    {% if not ns.first %}union all{% endif %}
    select
        'unique: {{ unique | join(", ") }}' as failed_rule,
        {{ okr_rules_row(unique) }} as failing_row
    from {{ model }}
    group by {{ unique | join(', ') }}
    having count(*) > 1
    {%- set ns.first = false %}
{%- endif %}

{%- for column, values in accepted_values.items() %}
    {% if not ns.first %}union all{% endif %}
    select
        'accepted values: {{ column }}' as failed_rule,
        {{ okr_rules_row(key, column) }} as failing_row
    from {{ model }}
    where {{ column }} not in (
        {%- for value in values %}'{{ value }}'{% if not loop.last %}, {% endif %}{% endfor -%}
    )
    {%- set ns.first = false %}
{%- endfor %}

{%- for column, bounds in between.items() %}
    {% if not ns.first %}union all{% endif %}
    select
        'between {{ bounds[0] }} and {{ bounds[1] }}: {{ column }}' as failed_rule,
        {{ okr_rules_row(key, column) }} as failing_row
    from {{ model }}
    where {{ column }} < {{ bounds[0] }} or {{ column }} > {{ bounds[1] }}
    {%- set ns.first = false %}
{%- endfor %}
{% endtest %}
