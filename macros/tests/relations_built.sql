{#-
    For tie-out tests that compare several marts: true when every model in `model_names` has
    been built in the target database. dbt selects a test when any of its parents is
    selected (eager indirect selection), so a partial build such as `--select +mrr_bridge`
    also runs a test that compares mrr_bridge with a mart it did not build; the test then
    has nothing to tie out and passes, with a log line saying so. In a full build every
    parent exists and the test runs. Outside `dbt build/test/run` (parsing, compiling,
    linting) it is always true, so the full test SQL is rendered.
-#}
{% macro relations_built(model_names) %}
    {%- if not execute or flags.WHICH not in ('build', 'test', 'run', 'retry') -%}
        {{ return(true) }}
    {%- endif -%}
    {%- for name in model_names -%}
        {%- set relation = ref(name) -%}
        {%- set found = adapter.get_relation(
            database=relation.database, schema=relation.schema, identifier=relation.identifier) -%}
        {%- if found is none -%}
            {{ log('skipping tie-out: ' ~ name ~ ' is not built (partial build)', info=true) }}
            {{ return(false) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(true) }}
{% endmacro %}
