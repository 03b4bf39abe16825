{#-
    The incremental models that exist in the warehouse file (`existing`, from
    existing_tables), sorted by unique_id: each as a dict with `relation` and `raw_tables`,
    the entries of `raw_tables` (raw_source_tables) it reads; empty for a model built from
    other models, such as int_ticket_facts.
-#}
{% macro built_incremental_models(raw_tables, existing) %}
    {%- set raw_by_id = {} -%}
    {%- for table in raw_tables -%}
        {%- do raw_by_id.update({table.unique_id: table}) -%}
    {%- endfor -%}

    {%- set built = [] -%}
    {%- for node in graph.nodes.values() | sort(attribute='unique_id')
        if node.resource_type == 'model' and node.config.materialized == 'incremental'
        and (node.schema ~ '.' ~ node.alias) in existing -%}
        {%- set reads = [] -%}
        {%- for parent in node.depends_on.nodes if parent in raw_by_id -%}
            {%- do reads.append(raw_by_id[parent]) -%}
        {%- endfor -%}
        {%- do built.append({
            'relation': api.Relation.create(
                database=node.database, schema=node.schema, identifier=node.alias, type='table'
            ),
            'raw_tables': reads,
        }) -%}
    {%- endfor -%}
    {{ return(built) }}
{% endmacro %}
