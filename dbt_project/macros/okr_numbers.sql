{#
  Floating-point care for the status boundaries. Scores are doubles; a gap that is exactly the
  threshold on paper can come out as 0.10000000000000003. Comparisons allow this tolerance so a
  boundary lands on the documented side (gap <= at_risk is on track).
#}
{% macro okr_tolerance() -%}
    0.000000001
{%- endmacro %}

{% macro okr_double() -%}
    double precision
{%- endmacro %}

{#- Days from a to b inclusive of both ends, as an integer (b - a + 1). -#}
{% macro okr_days_inclusive(a, b) -%}
    ({{ dbt.datediff(a, b, 'day') }} + 1)
{%- endmacro %}

{#- A sum that does not depend on the order of the rows: doubles are summed exactly as decimals
    (18 decimal places, which round-trip any double of magnitude 0.01 to 1e20) and converted back
    once, so the same inputs give the same last digit on every run and on every engine. -#}
{% macro okr_exact_sum(expr) -%}
    cast(sum(cast({{ expr }} as decimal(38, 18))) as {{ okr_double() }})
{%- endmacro %}

{#- The exact sum of `expr` over the rows of the same (as_of, kr_id), as a window function. -#}
{% macro okr_exact_window_sum(expr, partition='as_of, kr_id') -%}
    cast(sum(cast({{ expr }} as decimal(38, 18))) over (partition by {{ partition }}) as {{ okr_double() }})
{%- endmacro %}

{#- The mean of `expr` weighted by `weight` over the rows where `present` holds (exact sums). -#}
{% macro okr_weighted_mean(expr, weight, present) -%}
    {{ okr_exact_sum('case when ' ~ present ~ ' then ' ~ weight ~ ' * ' ~ expr ~ ' end') }}
    / nullif({{ okr_exact_sum('case when ' ~ present ~ ' then ' ~ weight ~ ' end') }}, 0)
{%- endmacro %}

{#- A string from a JSON text column's top-level key (the definition snapshots). -#}
{% macro okr_json_text(column, key) -%}
    {{ return(adapter.dispatch('okr_json_text', 'okr_scorer')(column, key)) }}
{%- endmacro %}

{% macro default__okr_json_text(column, key) -%}
    (cast({{ column }} as json) ->> '{{ key }}')
{%- endmacro %}

{% macro duckdb__okr_json_text(column, key) -%}
    json_extract_string({{ column }}, '$.{{ key }}')
{%- endmacro %}

{#- Session settings run before each model (a pre-hook in dbt_project.yml). PostgreSQL's JIT
    compiler spends minutes on the scoring queries' many expressions for a query that runs in a
    tenth of a second, so it is switched off for the session; other engines need nothing. -#}
{% macro okr_session_settings() -%}
    {{ return(adapter.dispatch('okr_session_settings', 'okr_scorer')()) }}
{%- endmacro %}

{% macro default__okr_session_settings() -%}
{%- endmacro %}

{% macro postgres__okr_session_settings() -%}
    set jit = off
{%- endmacro %}

{#- Whether a table model's rows are written in the order its query gives them: DuckDB keeps that
    order by default, which makes a large UNION ALL run on one thread. A model whose readers never
    depend on its row order turns it off in a pre-hook and back on in a post-hook (a failed build
    stops the run's dependants and fails the night; the session ends with the dbt call). Other
    engines have no such setting. -#}
{% macro okr_keep_insertion_order(keep) -%}
    {{ return(adapter.dispatch('okr_keep_insertion_order', 'okr_scorer')(keep)) }}
{%- endmacro %}

{% macro default__okr_keep_insertion_order(keep) -%}
{%- endmacro %}

{% macro duckdb__okr_keep_insertion_order(keep) -%}
    set preserve_insertion_order = {{ 'true' if keep else 'false' }}
{%- endmacro %}
