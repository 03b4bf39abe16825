{#-
    The sum of a money (or other DOUBLE) expression, exact and independent of the order the
    engine adds rows in: each value is cast to DECIMAL(38, 10) (a deterministic rounding to
    1e-10), the decimals are added exactly, and the total is cast back to DOUBLE at the end.
    A plain DOUBLE sum of three or more terms depends on the adding order (threads), so two
    builds of one landing dir could differ in the last digits and an exact comparison (the
    bridge's movements, a share of 0) could flip. `filter` is an optional condition for
    `filter (where ...)`, `over` an optional window for `over (...)`.
-#}
{% macro exact_sum(expression, filter=none, over=none) -%}
    cast(sum(cast({{ expression }} as decimal(38, 10)))
    {%- if filter %} filter (where {{ filter }}){% endif %}
    {%- if over %} over ({{ over }}){% endif %} as double)
{%- endmacro %}
