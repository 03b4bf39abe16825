{#-
    Every batch file of a raw table has every column the contract lists, with the listed type
    (the `data_type` of the source's columns in _<source>__sources.yml). Extra columns are
    ignored. Checked per file with parquet_schema(), so one bad batch is named even when
    union_by_name would have papered over it. An unreadable file fails here too, named by DuckDB.

    On a violation the test raises with a message naming the table, the column, the expected
    and found type and the files, so `dbt build` stops before staging and builds no mart.
-#}
{% test raw_schema_matches_contract(model) %}
    {%- if execute -%}
    {%- set source_node = graph.sources.values()
        | selectattr('source_name', 'equalto', model.schema)
        | selectattr('name', 'equalto', model.identifier) | first -%}
    {%- set table_label = source_node.source_name ~ '/' ~ source_node.name -%}
    {%- set glob = raw_glob(source_node.source_name, source_node.name) -%}
    {%- set expected -%}
        {%- for column in source_node.columns.values() %}
        ({{ sql_string(column.name) }}, {{ sql_string(column.data_type | upper) }}){{ ',' if not loop.last }}
        {%- endfor %}
    {%- endset -%}

    {%- set check_sql -%}
        with expected (column_name, expected_type) as (
            values {{ expected }}
        ),

        found as (
            select file_name, name as column_name, duckdb_type as found_type
            from parquet_schema({{ sql_string(glob) }})
        ),

        files as (
            select distinct file_name from found
        ),

        checked as (
            select
                files.file_name,
                expected.column_name,
                expected.expected_type,
                coalesce(found.found_type, 'missing') as found_type
            from files
            cross join expected
            left join found
                on files.file_name = found.file_name
                and expected.column_name = found.column_name
        )

        select
            column_name,
            expected_type,
            found_type,
            count(*) as n_files,
            min(file_name) as example_file
        from checked
        where not {{ raw_type_matches('found_type', 'expected_type') }}
        group by all
        order by column_name
    {%- endset -%}

        {%- set violations = raw_schema_violations(check_sql, source_node, glob) -%}
        {%- if violations | length > 0 -%}
            {%- set lines = [] -%}
            {%- for row in violations -%}
                {%- do lines.append(
                    '  ' ~ table_label ~ '.' ~ row['column_name'] ~ ': expected ' ~ row['expected_type']
                    ~ ', found ' ~ row['found_type'] ~ ' in ' ~ row['n_files'] ~ ' file(s), e.g. '
                    ~ row['example_file']) -%}
            {%- endfor -%}
            {{ exceptions.raise_compiler_error(
                'Raw table ' ~ table_label ~ ' breaks the landing contract (docs/raw-contract.md):\n'
                ~ lines | join('\n')) }}
        {%- endif -%}
    {%- endif -%}

    {#- Nothing left to report once the schema is known to be right. -#}
    select 1 as ok where false
{% endtest %}

{#- Types as DuckDB reads them from Parquet. A timestamp of any naive unit is accepted; a
    column that is entirely null in a batch may be written with Arrow's null type. -#}
{% macro raw_type_matches(found, expected) -%}
    (
        {{ found }} = {{ expected }}
        or {{ found }} = '"NULL"'
        or ({{ expected }} = 'TIMESTAMP' and {{ found }} in ('TIMESTAMP_S', 'TIMESTAMP_MS', 'TIMESTAMP_NS'))
    )
{%- endmacro %}
