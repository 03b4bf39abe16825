with

loads as (
    {% for model in [
        'stg_crm__accounts', 'stg_crm__contacts', 'stg_crm__marketing_spend',
        'stg_billing__subscriptions', 'stg_billing__invoices', 'stg_billing__refunds',
        'stg_billing__fx_rates', 'stg_support__tickets', 'stg_support__ticket_events',
        'stg_support__survey_responses'
    ] -%}
        select max(_loaded_at) as max_loaded_at from {{ ref(model) }}
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
