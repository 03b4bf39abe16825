{#-
    The tables of the warehouse file (its main database) as '<schema>.<table>' strings: one
    query, so the hook looks up every relation it needs at once.
-#}
{% macro existing_tables() %}
    {%- set query -%}
        select table_schema || '.' || table_name as relation_name
        from information_schema.tables
        where table_catalog = current_database()
    {%- endset -%}
    {{ return(run_query(query).columns[0].values() | list) }}
{% endmacro %}
