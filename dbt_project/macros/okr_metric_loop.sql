{#
  The metric models of the project, as the pipeline lists them (every .sql file in
  models/metrics). They arrive as a var because dbt cannot discover refs from the file system,
  and a ref must be known at parse time to order the build.
#}
{% macro okr_metric_models() -%}
    {{ return(var('metric_models', [])) }}
{%- endmacro %}

{#- The documented dimension columns of a metric model (the okr_metric_columns_documented test keeps them true). -#}
{% macro okr_metric_dimensions(metric_name) -%}
    {%- set dims = [] -%}
    {%- if execute -%}
        {%- set node = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
            | selectattr('name', 'equalto', metric_name) | first -%}
        {%- for col in node.columns.keys() -%}
            {%- if col | lower not in ['metric_date', 'value', 'numerator', 'denominator'] -%}
                {%- do dims.append(col | lower) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(dims) }}
{%- endmacro %}

{% macro okr_metric_has_ratio_parts(metric_name) -%}
    {%- set has = [] -%}
    {%- if execute -%}
        {%- set node = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
            | selectattr('name', 'equalto', metric_name) | first -%}
        {%- set cols = node.columns.keys() | map('lower') | list -%}
        {%- do has.append('numerator' in cols and 'denominator' in cols) -%}
    {%- endif -%}
    {{ return(has[0] if has else false) }}
{%- endmacro %}
