{#-
    The contract columns of one raw table whose type in the batch files is not the listed one
    (raw_schema_matches_contract): rows of column_name, expected_type, found_type, n_files and
    example_file. DuckDB checks every file on its own (check_sql, parquet_schema()). Spark SQL
    has no per-file schema: it checks the schema of all batches merged by name, so a column
    missing or retyped everywhere is named, a type conflict between batches fails Spark's
    merge (naming both types), and a column missing from only some batches reads as null.
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
    {%- set found = {} -%}
    {%- for row in run_query('describe query select * from parquet.`' ~ glob ~ '`') -%}
        {%- do found.update({row[0]: spark_to_contract.get(row[1], row[1] | upper)}) -%}
    {%- endfor -%}
    {%- set violations = [] -%}
    {%- for column in source_node.columns.values() -%}
        {%- set expected = column.data_type | upper -%}
        {%- set found_type = found.get(column.name, 'missing') -%}
        {%- if found_type not in [expected, '"NULL"'] -%}
            {%- do violations.append({
                'column_name': column.name, 'expected_type': expected, 'found_type': found_type,
                'n_files': 'the merged', 'example_file': glob}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(violations) }}
{% endmacro %}
