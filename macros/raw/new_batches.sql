{#-
    Incremental staging reads only the batches that are new since the last run: rows with
    _loaded_at at or after the greatest _loaded_at already staged. Rows loaded at exactly
    that instant are read again, so the current row of every key they touch is decided over
    all its candidates (an older row of the key can never win), and delete+insert on the key
    replaces it. The watermark is rendered as a literal so DuckDB skips old Parquet row
    groups by their statistics.

    Assumes a loader's clock moves forward: a batch written later carries a later
    _loaded_at (raw-sources.md: files are never rewritten). A batch back-dated below the
    watermark needs `dbt build --full-refresh`.
-#}
{% macro new_batches_filter() -%}
    {%- if is_incremental() -%}
        {%- set watermark = run_query('select max(_loaded_at) from ' ~ this).columns[0].values()[0] -%}
        {%- if watermark is not none %}
    where _loaded_at >= cast('{{ watermark }}' as timestamp)
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
