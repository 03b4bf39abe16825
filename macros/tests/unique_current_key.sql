{#-
    No primary key may have two current rows: rows tied on the greatest _loaded_at (and
    updated_at, where the table has one) for the same key. Returns every tied row, so the
    failure count is the number of offending rows.
-#}
{% test unique_current_key(model, key_columns, has_updated_at=true) %}
    with ranked as (
        select
            {{ key_columns | join(', ') }},
            rank() over (
                partition by {{ key_columns | join(', ') }}
                order by {{ current_row_order(has_updated_at) }}
            ) as current_rank
        from {{ model }}
    ),

    current_rows as (
        select
            *,
            count(*) over (partition by {{ key_columns | join(', ') }}) as n_current
        from ranked
        where current_rank = 1
    )

    select {{ key_columns | join(', ') }}, n_current
    from current_rows
    where n_current > 1
{% endtest %}
