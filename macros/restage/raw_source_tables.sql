{#-
    The raw tables of this project's dbt sources, sorted: each as a dict with `unique_id` (of
    the dbt source), `table_name` (<source>/<table>) and `glob` (its batch files, raw_glob).
-#}
{% macro raw_source_tables() %}
    {%- set tables = [] -%}
    {%- for source in graph.sources.values() | sort(attribute='unique_id')
        if source.package_name == project_name -%}
        {%- do tables.append({
            'unique_id': source.unique_id,
            'table_name': source.source_name ~ '/' ~ source.name,
            'glob': raw_glob(source.source_name, source.name),
        }) -%}
    {%- endfor -%}
    {{ return(tables) }}
{% endmacro %}
