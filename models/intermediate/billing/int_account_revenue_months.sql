-- One row per (account, month M) with non-zero payments or refunds, for M through the last
-- complete month: the account's net revenue in M (docs/marts.md "Net revenue in month M"),
-- i.e. amount_paid_cents / 100 of its invoices with status 'paid' and month(paid_at) = M,
-- minus amount_cents / 100 of refunds of its invoices with month(refunded_at) = M, each
-- converted to USD at its own month.
with

invoices as (
    select * from {{ ref('stg_billing__invoices') }}
),

refunds as (
    select * from {{ ref('stg_billing__refunds') }}
),

fx_rates as (
    select * from {{ ref('stg_billing__fx_rates') }}
),

reporting_period as (
    select * from {{ ref('int_reporting_period') }}
),

payments as (
    select
        account_id,
        {{ month_of('paid_at') }} as month,
        currency,
        amount_paid_cents as amount_cents
    from invoices
    where status = 'paid' and amount_paid_cents <> 0
),

refunded as (
    select
        invoices.account_id,
        {{ month_of('refunds.refunded_at') }} as month,
        refunds.currency,
        -refunds.amount_cents as amount_cents
    from refunds
    inner join invoices on refunds.invoice_id = invoices.invoice_id
),

movements as (
    select * from payments
    union all
    select * from refunded
),

-- integer cents per currency first (exact: EUR 3.33 paid, 1.11 + 2.22 refunded nets to 0),
-- then each currency's USD amount, the currencies added as exact decimals
currency_months as (
    select
        account_id,
        month,
        currency,
        sum(amount_cents) as amount_cents
    from movements
    group by account_id, month, currency
),

converted as (
    select
        currency_months.account_id,
        currency_months.month,
        currency_months.currency,
        {{ usd_per_unit('currency_months.currency') }} as usd_per_unit,
        currency_months.amount_cents
    from currency_months
    cross join reporting_period
    {{ fx_rate_join('fx_rates', 'currency_months.currency', 'currency_months.month') }}
    where currency_months.month <= reporting_period.last_complete_month
),

final as (
    select
        account_id,
        month,
        -- null, never a partial sum, when an amount of the month has no FX rate
        -- (the fx_rate_available test then fails the build)
        case
            when count(*) = count(usd_per_unit)
                then {{ exact_sum('amount_cents / 100.0 * usd_per_unit') }}
        end as net_revenue_usd,
        min(currency) filter (where usd_per_unit is null) as currency_missing_fx_rate
    from converted
    group by account_id, month
)

select * from final
