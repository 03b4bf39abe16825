{#-
    Drops every built incremental model (`incremental`: built_incremental_models) through the
    adapter, so dbt builds each anew from all its input, and logs why (`reason`).
-#}
{% macro drop_incremental_models(incremental, reason) %}
    {{ log('Rebuilding ' ~ incremental | length ~ ' incremental models from all batches: '
        ~ reason, info=true) }}
    {%- for model in incremental -%}
        {%- do adapter.drop_relation(model.relation) -%}
    {%- endfor -%}
{% endmacro %}
