{#- The landing dir: $CX_RAW_DIR as given (relative to the dbt project dir or absolute). -#}
{% macro raw_dir() -%}
    {{ return(env_var('CX_RAW_DIR', 'data/raw')) }}
{%- endmacro %}

{#-
    The batch files of one raw table: $CX_RAW_DIR/<source>/<table>/<batch_file_glob>, the
    glob being the sources' meta.batch_file_glob in dbt_project.yml (the one definition of a
    batch file). Plain text, not SQL: quote it with sql_string() where it goes into a query.
-#}
{% macro raw_glob(source_name, table_name) -%}
    {%- set pattern = [] -%}
    {%- for source in graph.sources.values()
        if source.source_name == source_name and source.name == table_name -%}
        {%- do pattern.append(source.meta.batch_file_glob) -%}
    {%- endfor -%}
    {%- if pattern | length != 1 -%}
        {{ exceptions.raise_compiler_error(
            'raw_glob: no source ' ~ source_name ~ '.' ~ table_name ~ ' with meta.batch_file_glob'
        ) }}
    {%- endif -%}
    {{ return(raw_dir() ~ '/' ~ source_name ~ '/' ~ table_name ~ '/' ~ pattern[0]) }}
{%- endmacro %}
