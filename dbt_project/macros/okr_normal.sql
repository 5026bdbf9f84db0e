{#
  The standard normal distribution in plain SQL (the same arithmetic on DuckDB and PostgreSQL,
  which have no common erf / inverse-normal function). Used by the forecast interval and the
  probability of reaching the target (docs/scoring.md, "Forecast").
#}

{#- Phi(z), the standard normal CDF: Abramowitz & Stegun 26.2.17 (absolute error < 7.5e-8). z is
    clamped to [-8, 8] first: beyond it Phi is 0 or 1 to 15 digits, and PostgreSQL's exp() raises
    an underflow error for very negative arguments. Pass a column name, not a long expression. -#}
{% macro okr_normal_cdf(z) -%}
    {%- set x = 'least(abs(' ~ z ~ '), 8.0)' -%}
    {%- set t = '(1.0 / (1.0 + 0.2316419 * ' ~ x ~ '))' -%}
    (case when {{ z }} is null then null else 0.5 + sign({{ z }}) * (0.5 - 0.3989422804014327 * exp(-0.5 * {{ x }} * {{ x }})
        * {{ t }} * (0.319381530 + {{ t }} * (-0.356563782 + {{ t }} * (1.781477937
        + {{ t }} * (-1.821255978 + {{ t }} * 1.330274429))))) end)
{%- endmacro %}

{#- Phi^-1(p), the standard normal quantile for 0 < p < 1: Abramowitz & Stegun 26.2.23
    (absolute error < 4.5e-4, ample for an interval's end); p is kept within [1e-12, 1 - 1e-12]. -#}
{% macro okr_normal_quantile(p) -%}
    {%- set q = 'least(greatest(' ~ p ~ ', 1e-12), 1 - 1e-12)' -%}
    {%- set tail = 'least(' ~ q ~ ', 1 - ' ~ q ~ ')' -%}
    {%- set t = 'sqrt(-2.0 * ln(' ~ tail ~ '))' -%}
    (case when {{ p }} is null then null else sign({{ q }} - 0.5) * ({{ t }} - (2.515517 + 0.802853 * {{ t }}
        + 0.010328 * {{ t }} * {{ t }}) / (1.0 + 1.432788 * {{ t }} + 0.189269 * {{ t }} * {{ t }}
        + 0.001308 * {{ t }} * {{ t }} * {{ t }})) end)
{%- endmacro %}
