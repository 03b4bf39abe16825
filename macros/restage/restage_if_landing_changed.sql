{#-
    The on-run-start hook (dbt_project.yml). Incremental staging (new_batches_filter) is right
    only while the landing dir grows by new batches: the warehouse file was built from these
    batch files, every batch file it read is still there unchanged, and new files hold no rows
    loaded before what is staged.

    Before every `dbt run` / `dbt build` it lists the landing dir once and compares the listing
    with the one the previous run recorded in meta.dbt_landing_files. When the landing dir is
    anything but such an append (a file gone or rewritten, another landing dir, a back-dated
    batch, or staging tables with no listing), or when the SQL of an incremental model changed
    since it was built (its rows would mix two definitions; dbt's graph has no macro text, so a
    changed macro still needs --full-refresh), it drops every incremental model (staging and
    int_ticket_facts), so each is built again from all its input, as with --full-refresh.
    Then it records the listing and the code fingerprint for the next run.
-#}
{% macro restage_if_landing_changed() %}
    {{ return(adapter.dispatch('restage_if_landing_changed', 'cx_warehouse')()) }}
{% endmacro %}

{% macro default__restage_if_landing_changed() %}
    {%- if not execute or flags.WHICH not in ['build', 'run'] -%}
        {{ return('') }}
    {%- endif -%}

    {%- set raw_tables = raw_source_tables() -%}
    {%- set listing = list_landing_files(raw_tables) -%}
    {%- do assert_every_raw_table_has_batches(listing, raw_tables) -%}

    {%- set existing = existing_tables() -%}
    {%- set incremental = built_incremental_models(raw_tables, existing) -%}
    {%- set fingerprint = incremental_code_fingerprint() -%}
    {%- set reason = landing_change_reason(listing, incremental, existing)
        or code_change_reason(fingerprint, incremental, existing) -%}
    {%- if reason -%}
        {%- do drop_incremental_models(incremental, reason) -%}
    {%- endif -%}

    {%- do record_landing_and_code(listing, fingerprint) -%}
    {{ return('') }}
{% endmacro %}
