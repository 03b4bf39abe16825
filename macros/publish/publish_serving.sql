{#-
    Spark only: publish the built marts as publish `publish_id`, atomically for readers
    (docs/spark.md, "The refresh job on Spark"). Run by the refresh (orchestration/defs/
    publish/spark_serving.py) as `dbt run-operation publish_serving --args ...`.

    1. write: every mart `marts.<m>` into partition publish_id of `serving_history.<m>`
       (created on the first publish with the mart's columns + publish_id; a static partition
       insert overwrite, so a retry after a failed publish replaces its half-written partition);
       the view `serving.<m>` (re)created over it, reading the partition named by
       `serving.current_publish`, so it keeps serving the old publish; the publish's meta rows
       (Parquet files in `meta_dir`) into `serving_meta.<table>`;
    2. switch: `create or replace view serving.current_publish` to the new id, one metastore
       update: the one step after which readers see the new set;
    3. prune: partitions older than the newest `keep` publishes are dropped.
    Any failing statement raises, so the switch only runs after every write succeeded.
-#}
{% macro publish_serving(publish_id, marts, meta_dir, keep=7) %}
    {%- if target.type != 'spark' -%}
        {{ exceptions.raise_compiler_error(
            'publish_serving is Spark-only (the DuckDB refresh replaces the serving file)') }}
    {%- endif -%}
    {%- set publish_id = publish_id | int -%}
    {%- for database in ['serving_history', 'serving', 'serving_meta'] -%}
        {%- do run_query('create database if not exists ' ~ database) -%}
    {%- endfor -%}
    {%- do run_query('create view if not exists serving.current_publish as '
        ~ 'select cast(null as bigint) as publish_id') -%}
    {%- for mart in marts -%}
        {{ log('publish #' ~ publish_id ~ ': writing serving_history.' ~ mart, info=true) }}
        {%- do publish_serving_mart(publish_id, mart) -%}
    {%- endfor -%}
    {{ log('publish #' ~ publish_id ~ ': writing serving_meta', info=true) }}
    {%- do publish_serving_meta(meta_dir) -%}
    {{ log('publish #' ~ publish_id ~ ': switching serving.current_publish', info=true) }}
    {%- do run_query('create or replace view serving.current_publish as select cast('
        ~ publish_id ~ ' as bigint) as publish_id') -%}
    {{ log('publish #' ~ publish_id ~ ': serving.current_publish = ' ~ publish_id, info=true) }}
    {%- for mart in marts -%}
        {%- do publish_serving_prune(mart, publish_id - (keep | int)) -%}
    {%- endfor -%}
{% endmacro %}


{#- The columns of a table as `name type` pairs (partition columns included once). -#}
{% macro publish_serving_columns(relation) %}
    {%- set pairs = [] -%}
    {%- for column in adapter.get_columns_in_relation(relation) -%}
        {%- do pairs.append((column.column | lower, column.dtype | lower)) -%}
    {%- endfor -%}
    {{ return(pairs) }}
{% endmacro %}


{% macro publish_serving_mart(publish_id, mart) %}
    {%- set source = api.Relation.create(schema='marts', identifier=mart) -%}
    {%- set columns = publish_serving_columns(source) -%}
    {%- if not columns -%}
        {{ exceptions.raise_compiler_error('publish #' ~ publish_id ~ ': marts.' ~ mart
            ~ ' is not in the build') }}
    {%- endif -%}
    {%- set names = columns | map(attribute=0) | join(', ') -%}
    {%- set history = 'serving_history.' ~ mart -%}
    {%- set found = run_query("show tables in serving_history like '" ~ mart ~ "'") -%}
    {%- if found.rows | length == 0 -%}
        {%- set ddl = [] -%}
        {%- for name, type in columns -%}
            {%- do ddl.append(name ~ ' ' ~ type) -%}
        {%- endfor -%}
        {%- do run_query('create table ' ~ history ~ ' (' ~ ddl | join(', ')
            ~ ', publish_id bigint) using parquet partitioned by (publish_id)') -%}
    {%- else -%}
        {%- set kept = [] -%}
        {%- for pair in publish_serving_columns(
            api.Relation.create(schema='serving_history', identifier=mart)) -%}
            {%- if pair[0] != 'publish_id' -%}{%- do kept.append(pair) -%}{%- endif -%}
        {%- endfor -%}
        {%- if kept != columns -%}
            {{ exceptions.raise_compiler_error('publish #' ~ publish_id ~ ': the columns of marts.'
                ~ mart ~ ' changed since the last publish (' ~ kept ~ ' -> ' ~ columns
                ~ '); changing a served mart\'s columns is not supported on Spark yet') }}
        {%- endif -%}
    {%- endif -%}
    {%- do run_query('insert overwrite table ' ~ history ~ ' partition (publish_id = '
        ~ publish_id ~ ') select ' ~ names ~ ' from marts.' ~ mart) -%}
    {%- do run_query('create or replace view serving.' ~ mart ~ ' as select ' ~ names
        ~ ' from ' ~ history
        ~ ' where publish_id = (select publish_id from serving.current_publish)') -%}
{% endmacro %}


{#- The publish's meta rows (orchestration/lib/meta.py write_spark_publish_rows), appended;
    validated_files holds the newest publish's files only, so it is replaced. -#}
{% macro publish_serving_meta(meta_dir) %}
    {%- set tables = {
        'publish_log': 'publish_id bigint, published_at timestamp, run_id string, '
            ~ 'as_of_date date, last_complete_month date, git_sha string, '
            ~ 'duration_seconds double, raw_dir string, landing_fingerprint string, '
            ~ 'mart_rows string, action string, restores bigint',
        'publish_marts': 'publish_id bigint, mart string, row_count bigint',
        'raw_row_counts': 'publish_id bigint, table_name string, current_rows bigint, '
            ~ 'raw_rows bigint, batch_files bigint, newest_loaded_at timestamp',
        'validated_files': 'table_name string, file_name string, size bigint, mtime_ns bigint',
    } -%}
    {%- for table, ddl in tables.items() -%}
        {%- do run_query('create table if not exists serving_meta.' ~ table ~ ' (' ~ ddl
            ~ ') using parquet') -%}
        {%- set casts = [] -%}
        {%- for column in ddl.split(', ') -%}
            {%- set name, type = column.split(' ') -%}
            {%- do casts.append('cast(' ~ name ~ ' as ' ~ type ~ ') as ' ~ name) -%}
        {%- endfor -%}
        {%- do run_query('insert ' ~ ('overwrite table' if table == 'validated_files' else 'into')
            ~ ' serving_meta.' ~ table ~ ' select ' ~ casts | join(', ')
            ~ ' from parquet.`' ~ meta_dir ~ '/' ~ table ~ '.parquet`') -%}
    {%- endfor -%}
{% endmacro %}


{#- Drop the partitions of serving_history.<mart> with publish_id <= `oldest_dropped`. -#}
{% macro publish_serving_prune(mart, oldest_dropped) %}
    {%- for row in run_query('show partitions serving_history.' ~ mart).rows -%}
        {%- set pid = row[0].split('=')[1] | int -%}
        {%- if pid <= oldest_dropped -%}
            {%- do run_query('alter table serving_history.' ~ mart
                ~ ' drop if exists partition (publish_id = ' ~ pid ~ ')') -%}
        {%- endif -%}
    {%- endfor -%}
{% endmacro %}
