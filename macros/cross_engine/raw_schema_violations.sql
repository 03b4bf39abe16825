{#-
    The contract columns of one raw table whose type in the batch files is not the listed one
    (raw_schema_matches_contract): rows of column_name, expected_type, found_type, n_files and
    example_file, sorted by column. Every file is checked on its own, so one bad batch is
    named even when a union by name would paper over it: DuckDB with check_sql
    (parquet_schema()), Spark with one `describe query` per file of the hook's listing
    (landing_files.<source>__<table>, spark__list_landing_files; only the footer is read).
    An unreadable file fails on both, named by the engine.
-#}
{% macro raw_schema_violations(check_sql, source_node, glob) %}
    {{ return(adapter.dispatch('raw_schema_violations', 'cx_warehouse')(check_sql, source_node, glob)) }}
{% endmacro %}

{% macro default__raw_schema_violations(check_sql, source_node, glob) %}
    {{ return(run_query(check_sql)) }}
{% endmacro %}

{% macro spark__raw_schema_violations(check_sql, source_node, glob) %}
    {%- set spark_to_contract = {
        'string': 'VARCHAR', 'bigint': 'BIGINT', 'int': 'INTEGER', 'double': 'DOUBLE',
        'date': 'DATE', 'timestamp_ntz': 'TIMESTAMP', 'timestamp': 'TIMESTAMP', 'void': '"NULL"',
        'boolean': 'BOOLEAN'} -%}
    {%- set listing = 'landing_files.' ~ source_node.source_name ~ '__' ~ source_node.name -%}
    {%- set paths = run_query('select path from ' ~ listing ~ ' order by path').columns[0].values() -%}
    {%- set found = {} -%}
    {%- for path in paths -%}
        {%- set types = {} -%}
        {%- for row in run_query('describe query select * from parquet.`' ~ path ~ '`') -%}
            {%- do types.update({row[0]: spark_to_contract.get(row[1], row[1] | upper)}) -%}
        {%- endfor -%}
        {%- for column in source_node.columns.values() -%}
            {%- set expected = column.data_type | upper -%}
            {%- set found_type = types.get(column.name, 'missing') -%}
            {%- set key = column.name ~ ' ' ~ found_type -%}
            {%- if found_type not in [expected, '"NULL"'] -%}
                {%- set seen = found.get(key, {
                    'column_name': column.name, 'expected_type': expected,
                    'found_type': found_type, 'n_files': 0,
                    'example_file': path | replace('file:', '', 1)}) -%}
                {%- do seen.update({'n_files': seen['n_files'] + 1}) -%}
                {%- do found.update({key: seen}) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(found.values() | sort(attribute='column_name') | list) }}
{% endmacro %}
