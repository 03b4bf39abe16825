{#-
    The current row of every primary key (docs/raw-contract.md): the row with the greatest
    _loaded_at, ties broken by the greatest updated_at where the table has one.

    Rows still tied after that are duplicate keys among current rows. They are all kept, so
    the staging model's `unique` test on its key fails the build and names them, before any
    model downstream reads the table.
-#}
{% macro current_row_order(has_updated_at=true) -%}
    _loaded_at desc{% if has_updated_at %}, updated_at desc{% endif %}
{%- endmacro %}

{% macro current_rows(relation, key_columns, has_updated_at=true) -%}
    {%- if key_columns is string %}{% set key_columns = [key_columns] %}{% endif -%}
    select *
    from {{ relation }}
    qualify rank() over (
        partition by {{ key_columns | join(', ') }}
        order by {{ current_row_order(has_updated_at) }}
    ) = 1
{%- endmacro %}
