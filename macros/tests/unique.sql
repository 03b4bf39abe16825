{#-
    Overrides dbt's unique test so that a failure counts offending rows (dbt's counts
    duplicated values): two current rows sharing a key give "Got 2 results".
-#}
{% test unique(model, column_name) %}
    select {{ column_name }} as duplicated_value
    from {{ model }}
    where {{ column_name }} is not null
    qualify count(*) over (partition by {{ column_name }}) > 1
{% endtest %}
