{{ config(unique_key='refund_id') }}

with

source as (
    select
        refund_id,
        invoice_id,
        amount_cents,
        currency,
        refunded_at,
        _loaded_at
    from {{ source('billing', 'refunds') }}
    {{ new_batches_filter() }}
),

current_rows as (
    {{ current_rows('source', config.get('unique_key'), has_updated_at=false) }}
),

final as (
    select
        cast(refund_id as string) as refund_id,
        cast(invoice_id as string) as invoice_id,
        cast(amount_cents as bigint) as amount_cents,
        cast(currency as string) as currency,
        cast(refunded_at as timestamp) as refunded_at,
        cast(_loaded_at as timestamp) as _loaded_at
    from current_rows
)

select * from final
