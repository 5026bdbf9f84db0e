{#
  Fails (one row per problem) when a metric model's real columns differ from the columns
  documented in models/metrics/_metrics.yml, which the OKR validator trusts for filters and ratio.
#}
{% test okr_metric_columns_documented(model) %}
    {%- set problems = [] -%}
    {%- if execute -%}
        {%- set actual = adapter.get_columns_in_relation(model) | map(attribute='name') | map('lower') | list -%}
        {%- set documented = okr_metric_columns(model.identifier) -%}
        {%- for col in actual if col not in documented -%}
            {%- do problems.append('column ' ~ col ~ ' is not documented') -%}
        {%- endfor -%}
        {%- for col in documented if col not in actual -%}
            {%- do problems.append('documented column ' ~ col ~ ' does not exist') -%}
        {%- endfor -%}
        {%- for col in ['metric_date', 'value'] if col not in actual -%}
            {%- do problems.append('standard column ' ~ col ~ ' is missing') -%}
        {%- endfor -%}
    {%- endif %}
    select problem
    from (
        select cast(null as {{ dbt.type_string() }}) as problem
        {%- for p in problems %}
            union all select '{{ p }}'
        {%- endfor %}
    ) as problems
    where problem is not null
{% endtest %}
