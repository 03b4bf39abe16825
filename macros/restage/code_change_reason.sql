{#-
    A checksum of the SQL of every incremental model of the project (built or not): the md5
    of their unique_ids, dbt file checksums and the configs that shape their rows (unique_key,
    incremental_strategy, on_schema_change: set in dbt_project.yml or a yml, not in the SQL
    file), sorted. Macro text is not part of it.
-#}
{% macro incremental_code_fingerprint() %}
    {%- set code = [] -%}
    {%- for node in graph.nodes.values() | sort(attribute='unique_id')
        if node.resource_type == 'model' and node.config.materialized == 'incremental' -%}
        {%- do code.append(
            node.unique_id ~ ':' ~ node.checksum.checksum ~ ':' ~ node.config.unique_key
            ~ ':' ~ node.config.incremental_strategy ~ ':' ~ node.config.on_schema_change
        ) -%}
    {%- endfor -%}
    {{ return(local_md5(code | join('\n'))) }}
{% endmacro %}


{#-
    Why the incremental models built so far (`incremental`: built_incremental_models) must be
    rebuilt because their SQL is not the one they were built with, as a sentence; none when
    meta.dbt_incremental_code holds `fingerprint` or when none is built.
-#}
{% macro code_change_reason(fingerprint, incremental, existing) %}
    {%- if incremental | length == 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if 'meta.dbt_incremental_code' in existing -%}
        {%- set built = run_query('select fingerprint from meta.dbt_incremental_code').columns[0].values() -%}
        {%- if built | length == 1 and built[0] == fingerprint -%}
            {{ return(none) }}
        {%- endif -%}
    {%- endif -%}
    {{ return('the incremental models changed since they were built') }}
{% endmacro %}
