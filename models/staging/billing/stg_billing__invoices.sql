{{ config(unique_key='invoice_id') }}

with

source as (
    select
        invoice_id,
        account_id,
        subscription_id,
        status,
        amount_due_cents,
        amount_paid_cents,
        currency,
        issued_at,
        paid_at,
        updated_at,
        _loaded_at
    from {{ source('billing', 'invoices') }}
    {{ new_batches_filter() }}
),

current_rows as (
    {{ current_rows('source', config.get('unique_key')) }}
),

final as (
    select
        cast(invoice_id as string) as invoice_id,
        cast(account_id as string) as account_id,
        cast(subscription_id as string) as subscription_id,
        cast(status as string) as status,
        cast(amount_due_cents as bigint) as amount_due_cents,
        cast(amount_paid_cents as bigint) as amount_paid_cents,
        cast(currency as string) as currency,
        cast(issued_at as timestamp) as issued_at,
        cast(paid_at as timestamp) as paid_at,
        cast(updated_at as timestamp) as updated_at,
        cast(_loaded_at as timestamp) as _loaded_at
    from current_rows
)

select * from final
