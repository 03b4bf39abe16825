{#- The relative FCR improvements modelled by cx_improvement_value, as fractions: 5%, 20%
    and the dbt var `cx_improvement_pct` (in percent, default 10). -#}
{% macro cx_improvement_default() -%}
    {%- set value = var('cx_improvement_pct', 10) | float -%}
    {%- if value <= 0 or value > 100 -%}
        {{ exceptions.raise_compiler_error(
            'var cx_improvement_pct must be a percentage in (0, 100], e.g. 10 for +10%; got '
            ~ var('cx_improvement_pct')) }}
    {%- endif -%}
    {{ value / 100.0 }}
{%- endmacro %}

{% macro cx_improvement_scenarios() -%}
    {%- set scenarios = [0.05, 0.10, 0.20] -%}
    {%- set default = cx_improvement_default() | trim | float -%}
    {%- if default not in scenarios -%}
        {%- do scenarios.append(default) -%}
    {%- endif -%}
    {{ return(scenarios | sort) }}
{%- endmacro %}
