{{ config(unique_key=['spend_month', 'channel']) }}

with

source as (
    select
        spend_month,
        channel,
        amount_cents,
        currency,
        _loaded_at
    from {{ source('crm', 'marketing_spend') }}
    {{ new_batches_filter() }}
),

current_rows as (
    {{ current_rows('source', config.get('unique_key'), has_updated_at=false) }}
),

final as (
    select
        cast(spend_month as date) as spend_month,
        cast(channel as string) as channel,
        cast(amount_cents as bigint) as amount_cents,
        cast(currency as string) as currency,
        cast(_loaded_at as timestamp) as _loaded_at
    from current_rows
)

select * from final
