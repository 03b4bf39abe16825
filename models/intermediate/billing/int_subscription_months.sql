-- One row per (subscription, month M) in which the subscription is active at the end of M
-- and has a non-zero price, for M through the last complete month (docs/marts.md
-- "Subscription MRR in month M"). Active at the end of M: started_at < M+1 and (ended_at is
-- null or ended_at >= M+1), i.e. M from month(started_at) to month(ended_at) - 1.
with

subscriptions as (
    select * from {{ ref('stg_billing__subscriptions') }}
),

fx_rates as (
    select * from {{ ref('stg_billing__fx_rates') }}
),

reporting_period as (
    select * from {{ ref('int_reporting_period') }}
),

priced_subscriptions as (
    select
        subscription_id,
        account_id,
        plan_tier,
        currency,
        started_at,
        ended_at,
        -- annual recurring amount in minor units, an exact integer (128-bit, so any
        -- int64 price times any int64 seat count fits): monthly price x 12, or the
        -- yearly price, per seat x seats
        cast(amount_cents as {{ int128_type() }}) * quantity
        * case when billing_interval = 'year' then 1 else 12 end as arr_cents,
        {{ month_of('started_at') }} as first_month,
        case
            when ended_at is not null then {{ add_months(month_of('ended_at'), -1) }}
        end as last_month_before_end
    from subscriptions
    where cast(amount_cents as {{ int128_type() }}) * quantity > 0
),

subscription_months as (
    select
        priced_subscriptions.subscription_id,
        priced_subscriptions.account_id,
        priced_subscriptions.plan_tier,
        priced_subscriptions.currency,
        priced_subscriptions.arr_cents,
        {{ month_series(
            'priced_subscriptions.first_month',
            'least( coalesce(priced_subscriptions.last_month_before_end,'
            ~ ' reporting_period.last_complete_month), reporting_period.last_complete_month )'
        ) }} as month
    from priced_subscriptions
    cross join reporting_period
),

final as (
    select
        subscription_months.subscription_id,
        subscription_months.account_id,
        subscription_months.month,
        subscription_months.plan_tier,
        subscription_months.currency,
        subscription_months.arr_cents,
        {{ usd_per_unit('subscription_months.currency') }} as usd_per_unit,
        -- MRR = amount_cents * quantity / 100, divided by 12 for yearly plans, in USD of month M
        subscription_months.arr_cents / 1200.0 * {{ usd_per_unit('subscription_months.currency') }}
            as mrr_usd
    from subscription_months
    {{ fx_rate_join('fx_rates', 'subscription_months.currency', 'subscription_months.month') }}
)

select * from final
