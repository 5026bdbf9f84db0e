{#
  The metric models of the project, as the pipeline lists them (every .sql file in
  models/metrics). They arrive as a var because dbt cannot discover refs from the file system,
  and a ref must be known at parse time to order the build.
#}
{% macro okr_metric_models() -%}
    {{ return(var('metric_models', [])) }}
{%- endmacro %}

{#- The documented columns of a metric model, lower-cased (the okr_metric_columns_documented test
    keeps them true); empty while parsing, when the graph is not available yet. -#}
{% macro okr_metric_columns(metric_name) -%}
    {%- set cols = [] -%}
    {%- if execute -%}
        {%- set node = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
            | selectattr('name', 'equalto', metric_name) | first -%}
        {%- for col in node.columns.keys() -%}
            {%- do cols.append(col | lower) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(cols) }}
{%- endmacro %}

{% macro okr_metric_dimensions(metric_name) -%}
    {{ return(okr_metric_columns(metric_name)
        | reject('in', ['metric_date', 'value', 'numerator', 'denominator']) | list) }}
{%- endmacro %}

{% macro okr_metric_has_ratio_parts(metric_name) -%}
    {%- set cols = okr_metric_columns(metric_name) -%}
    {{ return('numerator' in cols and 'denominator' in cols) }}
{%- endmacro %}
