{#-
    Incremental staging (new_batches_filter) is right only while the landing dir grows by
    new batches: the warehouse file was built from this CX_RAW_DIR, every batch file it read
    is still there unchanged, and new files hold no rows loaded before what is staged.

    Before every `dbt run` / `dbt build` this hook compares the landing dir with the listing
    the previous run recorded in meta.dbt_landing_files (paths, sizes, modification times).
    When it is anything but such an append (another landing dir, a file gone or rewritten, a
    back-dated batch, or staging tables with no listing), or when the SQL of an incremental
    model changed since it was built (its rows would mix two definitions; dbt's graph has
    no macro text, so a changed macro still needs --full-refresh), it drops every
    incremental model (staging and int_ticket_facts), so each is built again from all its
    input, as with --full-refresh.
    Then it records the listing and the code fingerprint for the next run.
-#}
{% macro restage_if_landing_changed() %}
    {%- if not execute or flags.WHICH not in ['build', 'run'] -%}
        {{ return('') }}
    {%- endif -%}

    {#- raw tables as <source>/<table>, with the unique_id of their dbt source -#}
    {%- set tables = {} -%}
    {%- for source in graph.sources.values() if source.package_name == project_name -%}
        {%- do tables.update({source.unique_id: source.source_name ~ '/' ~ source.name}) -%}
    {%- endfor -%}

    {#- the incremental models built so far, and the raw table each staging one reads -#}
    {%- set incremental = [] -%}
    {%- set staged = [] -%}
    {%- set code = [] -%}
    {%- for node in graph.nodes.values() | sort(attribute='unique_id')
        if node.resource_type == 'model' and node.config.materialized == 'incremental' -%}
        {%- do code.append(node.unique_id ~ ':' ~ node.checksum.checksum) -%}
        {%- if _relation_exists(node.schema, node.alias) -%}
            {%- set relation = api.Relation.create(
                database=node.database, schema=node.schema, identifier=node.alias, type='table'
            ) -%}
            {%- do incremental.append(relation) -%}
            {%- for parent in node.depends_on.nodes if parent in tables -%}
                {%- do staged.append({'table_name': tables[parent], 'relation': relation}) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set code_fingerprint = local_md5(code | join('\n')) -%}

    {%- set listing_parts = [] -%}
    {%- for source in graph.sources.values() if source.unique_id in tables -%}
        {%- do listing_parts.append(
            "select '" ~ tables[source.unique_id] ~ "' as table_name, filename as file_name,"
            ~ " size, last_modified from read_blob('" ~ raw_glob(source.source_name, source.name) ~ "')"
        ) -%}
    {%- endfor -%}
    {%- set listing = listing_parts | join('\nunion all\n') -%}
    {%- do _assert_every_table_has_batches(listing, tables.values() | list) -%}

    {%- set reason = _landing_change(listing, staged) or _code_change(code_fingerprint, incremental) -%}
    {%- if reason -%}
        {{ log('Rebuilding ' ~ incremental | length ~ ' incremental models from all batches: '
            ~ reason, info=true) }}
        {%- for relation in incremental -%}
            {%- do adapter.drop_relation(relation) -%}
        {%- endfor -%}
    {%- endif -%}

    {%- do run_query('create schema if not exists meta') -%}
    {%- do run_query('create or replace table meta.dbt_landing_files as ' ~ listing) -%}
    {%- do run_query("create or replace table meta.dbt_incremental_code as select '"
        ~ code_fingerprint ~ "' as fingerprint") -%}
    {{ return('') }}
{% endmacro %}


{#- Why the landing dir is not an append of newer batches since the last run; none if it is. -#}
{% macro _landing_change(listing, staged) %}
    {%- if staged | length == 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if not _relation_exists('meta', 'dbt_landing_files') -%}
        {{ return('no listing of the batch files the staging tables were built from') }}
    {%- endif -%}

    {%- set gone = run_query(
        'select table_name, file_name from meta.dbt_landing_files as previous'
        ~ ' anti join (' ~ listing ~ ') as current_files'
        ~ ' using (table_name, file_name, size, last_modified) order by all limit 1'
    ) -%}
    {%- if gone.rows | length > 0 -%}
        {{ return('batch file ' ~ gone.rows[0][1] ~ ' of ' ~ gone.rows[0][0] ~ ' is gone or changed') }}
    {%- endif -%}

    {%- set new_files = run_query(
        "select table_name, string_agg(file_name, '|' order by file_name) from (" ~ listing ~ ') as current_files'
        ~ ' anti join meta.dbt_landing_files as previous using (table_name, file_name)'
        ~ ' group by table_name'
    ) -%}
    {%- for table_name, files in new_files.rows -%}
        {%- for table in staged if table.table_name == table_name -%}
            {%- set back_dated = run_query(
                "select (select min(_loaded_at) from read_parquet(['" ~ files.split('|') | join("', '") ~ "'],"
                ~ ' union_by_name = true)) < (select max(_loaded_at) from ' ~ table.relation ~ ')'
            ).rows[0][0] -%}
            {%- if back_dated -%}
                {{ return('a new batch file of ' ~ table_name ~ ' holds rows loaded before those staged') }}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(none) }}
{% endmacro %}


{#- Why incremental models built by other code must be rebuilt; none if the code is the same. -#}
{% macro _code_change(code_fingerprint, incremental) %}
    {%- if incremental | length == 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if _relation_exists('meta', 'dbt_incremental_code') -%}
        {%- set built = run_query('select fingerprint from meta.dbt_incremental_code').columns[0].values() -%}
        {%- if built | length == 1 and built[0] == code_fingerprint -%}
            {{ return(none) }}
        {%- endif -%}
    {%- endif -%}
    {{ return('the incremental models changed since they were built') }}
{% endmacro %}


{% macro _relation_exists(schema, identifier) %}
    {%- set found = run_query(
        "select count(*) from information_schema.tables where table_schema = '"
        ~ schema ~ "' and table_name = '" ~ identifier ~ "'"
    ) -%}
    {{ return(found.rows[0][0] > 0) }}
{% endmacro %}


{#-
    A raw table with no batch file has none of its listed columns, which blocks the refresh
    (raw-sources.md); say so by name instead of DuckDB's "No files found" from a model.
-#}
{% macro _assert_every_table_has_batches(listing, table_names) %}
    {%- set present = run_query('select distinct table_name from (' ~ listing ~ ')').columns[0].values() -%}
    {%- set missing = [] -%}
    {%- for table_name in table_names | sort if table_name not in present -%}
        {%- do missing.append(table_name) -%}
    {%- endfor -%}
    {%- if missing -%}
        {{ exceptions.raise_compiler_error(
            'Raw table(s) ' ~ missing | join(', ') ~ ' have no batch file (*.parquet) under '
            ~ env_var('CX_RAW_DIR', 'data/raw') ~ ': every contract table needs its folder'
            ~ ' <source>/<table>/ with at least one batch (raw-sources.md)'
        ) }}
    {%- endif -%}
{% endmacro %}
