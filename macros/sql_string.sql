{#-
    `text` as a SQL string literal: in single quotes, every ' doubled. Every literal that
    carries a path or any other text not written in this project (CX_RAW_DIR, a glob, a
    table name) goes into SQL through this macro, so a ' in it cannot end the literal.
-#}
{% macro sql_string(text) -%}
    {{ return("'" ~ (text | string | replace("'", "''")) ~ "'") }}
{%- endmacro %}
