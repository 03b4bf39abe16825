-- All refunds of an invoice add up to at most its amount_paid_cents (docs/raw-contract.md).
-- Returns one row per refund of an over-refunded invoice.
with

refunds as (
    select * from {{ ref('stg_billing__refunds') }}
),

invoices as (
    select * from {{ ref('stg_billing__invoices') }}
),

refund_totals as (
    select
        refunds.refund_id,
        refunds.invoice_id,
        refunds.amount_cents,
        sum(refunds.amount_cents) over (partition by refunds.invoice_id) as invoice_refunded_cents
    from refunds
),

final as (
    select
        refund_totals.refund_id,
        refund_totals.invoice_id,
        refund_totals.amount_cents,
        refund_totals.invoice_refunded_cents,
        invoices.amount_paid_cents
    from refund_totals
    inner join invoices on refund_totals.invoice_id = invoices.invoice_id
    where refund_totals.invoice_refunded_cents > invoices.amount_paid_cents
)

select * from final
