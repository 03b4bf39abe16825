-- The default as-of date is the date of the greatest _loaded_at across all raw tables: read
-- from the sources themselves (the same value as over current rows, since a key's current
-- row has its greatest _loaded_at), which DuckDB answers from Parquet statistics.
with

loads as (
    {% for source_name, table_name in [
        ('crm', 'accounts'), ('crm', 'contacts'), ('crm', 'marketing_spend'),
        ('billing', 'subscriptions'), ('billing', 'invoices'), ('billing', 'refunds'),
        ('billing', 'fx_rates'), ('support', 'tickets'), ('support', 'ticket_events'),
        ('support', 'survey_responses')
    ] -%}
        select max(_loaded_at) as max_loaded_at from {{ source(source_name, table_name) }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

as_of as (
    select
        coalesce(
            {{ as_of_date_var() }},
            cast(max(max_loaded_at) as date)
        ) as as_of_date,
        max(max_loaded_at) as max_loaded_at
    from loads
),

final as (
    select
        as_of_date,
        {{ month_of('as_of_date') }} as as_of_month,
        {{ add_months(month_of('as_of_date'), -1) }} as last_complete_month,
        max_loaded_at
    from as_of
)

select * from final
