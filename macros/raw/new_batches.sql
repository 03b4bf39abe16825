{#-
    Incremental staging reads only the batches that are new since the last run: rows with
    _loaded_at at or after the greatest _loaded_at already staged. Rows loaded at exactly
    that instant are read again, so the current row of every key they touch is decided over
    all its candidates (an older row of the key can never win), and delete+insert on the key
    replaces it. The watermark is rendered as a literal so DuckDB skips old Parquet row
    groups by their statistics.

    This is right while the landing dir only grows by batches loaded no earlier than what is
    staged (docs/raw-contract.md: files are never rewritten). When it does not (another landing
    dir, a file gone or rewritten, a back-dated batch), the on-run-start hook
    restage_if_landing_changed empties the staging tables first, so the watermark is null
    and every batch is read.
-#}
{% macro new_batches_filter() -%}
    {%- set watermark = incremental_watermark('_loaded_at') -%}
    {%- if watermark is not none %}
    where _loaded_at >= {{ watermark }}
    {%- endif -%}
{%- endmacro %}


{#-
    The greatest value of `column` in the incremental model being built, as a timestamp
    literal (none on a full build or an empty table).
-#}
{% macro incremental_watermark(column) -%}
    {%- if is_incremental() -%}
        {%- set watermark = run_query('select max(' ~ column ~ ') from ' ~ this).columns[0].values()[0] -%}
        {%- if watermark is not none -%}
            {{ return('cast(' ~ sql_string(watermark) ~ ' as timestamp)') }}
        {%- endif -%}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}
