{#-
    Why the landing dir is not an append of newer batches since the last run, as a sentence;
    none if it is, or if no staging table is built (`incremental`: built_incremental_models).
    Compares `listing` (list_landing_files) with meta.dbt_landing_files by relative file name,
    size and modification time.
-#}
{% macro landing_change_reason(listing, incremental, existing) %}
    {%- set staged = incremental | selectattr('raw_tables') | list -%}
    {%- if staged | length == 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if 'meta.dbt_landing_files' not in existing -%}
        {{ return('no listing of the batch files the staging tables were built from') }}
    {%- endif -%}

    {%- set gone_query -%}
        select
            previous.table_name,
            previous.file_name
        from meta.dbt_landing_files as previous
        anti join {{ listing }} as current_files
            using (table_name, file_name, size, last_modified)
        order by all
        limit 1
    {%- endset -%}
    {%- set gone = run_query(gone_query) -%}
    {%- if gone.rows | length > 0 -%}
        {{ return('batch file ' ~ gone.rows[0][1] ~ ' of ' ~ gone.rows[0][0] ~ ' is gone or changed') }}
    {%- endif -%}

    {%- set with_new_query -%}
        select distinct current_files.table_name
        from {{ listing }} as current_files
        anti join meta.dbt_landing_files as previous
            using (table_name, file_name)
    {%- endset -%}
    {%- set with_new_files = run_query(with_new_query).columns[0].values() -%}
    {%- for model in staged -%}
        {%- for table in model.raw_tables
            if table.table_name in with_new_files and is_back_dated(listing, table, model.relation) -%}
            {{ return('a new batch file of ' ~ table.table_name ~ ' holds rows loaded before those staged') }}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(none) }}
{% endmacro %}


{#-
    True when the new batch files of raw table `table` (raw_source_tables) hold a row with a
    _loaded_at before the greatest one staged in `relation`. Reads only the new files: the
    table's glob with their names in the `filename` column, semi-joined to the listing, so
    no file name goes into SQL text and DuckDB skips the files it already staged.
-#}
{% macro is_back_dated(listing, table, relation) %}
    {%- set query -%}
        with

        new_files as (
            select current_files.path
            from {{ listing }} as current_files
            anti join meta.dbt_landing_files as previous
                using (table_name, file_name)
            where current_files.table_name = {{ sql_string(table.table_name) }}
        ),

        new_rows as (
            select min(batch._loaded_at) as min_loaded_at
            from read_parquet(
                {{ sql_string(table.glob) }},
                filename = true,
                union_by_name = true,
                hive_partitioning = false
            ) as batch
            semi join new_files
                on batch.filename = new_files.path
        ),

        staged as (
            select max(_loaded_at) as max_loaded_at
            from {{ relation }}
        )

        select coalesce(new_rows.min_loaded_at < staged.max_loaded_at, false) as is_back_dated
        from new_rows
        cross join staged
    {%- endset -%}
    {{ return(run_query(query).columns[0].values()[0]) }}
{% endmacro %}
