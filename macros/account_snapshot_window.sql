{#- The look-back of the account snapshot (account_health): tickets and surveys of the
    snapshot_days() days before the as-of date. -#}
{% macro snapshot_days() -%}90{%- endmacro %}
