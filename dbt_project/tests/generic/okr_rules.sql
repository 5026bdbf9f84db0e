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
{#- The row rules as (failed_rule as SQL, the value column to show, the failing condition). -#}
{%- set row_rules = [] -%}
{%- if not_null -%}
    {%- set nulls -%}
        concat('not null: ', concat_ws(', '
        {%- for column in not_null %}, case when {{ column }} is null then '{{ column }}' end{% endfor %}))
    {%- endset -%}
    {%- do row_rules.append((nulls, none, not_null | join(' is null or ') ~ ' is null')) -%}
{%- endif -%}
{%- for column, values in accepted_values.items() -%}
    {%- do row_rules.append((
        "'accepted values: " ~ column ~ "'", column,
        column ~ " not in ('" ~ values | join("', '") ~ "')")) -%}
{%- endfor -%}
{%- for column, bounds in between.items() -%}
    {%- if bounds | length != 2 -%}
        {{ exceptions.raise_compiler_error(
            "okr_rules: between." ~ column ~ " must be [min, max], got " ~ bounds) }}
    {%- endif -%}
    {%- do row_rules.append((
        "'between " ~ bounds[0] ~ " and " ~ bounds[1] ~ ": " ~ column ~ "'", column,
        column ~ " < " ~ bounds[0] ~ " or " ~ column ~ " > " ~ bounds[1])) -%}
{%- endfor -%}
{%- if not row_rules and not unique -%}
    {{ exceptions.raise_compiler_error(
        "okr_rules: give at least one of not_null, unique, accepted_values, between") }}
{%- endif -%}

{%- for failed_rule, value_column, failing in row_rules %}
    select
        {{ failed_rule }} as failed_rule,
        {{ okr_rules_row(key, value_column) }} as failing_row
    from {{ model }}
    where {{ failing }}
    {% if not loop.last or unique %}union all{% endif %}
{%- endfor %}

{%- if unique %}
    select
        'unique: {{ unique | join(", ") }}' as failed_rule,
        {{ okr_rules_row(unique) }} as failing_row
    from {{ model }}
    group by {{ unique | join(', ') }}
    having count(*) > 1
{%- endif %}
{% endtest %}
