-- One row per (account, month M) in which the account is active: MRR(M) > 0, for M through
-- the last complete month. MRR(M) is the sum of its subscriptions' MRR (docs/marts.md
-- "Account MRR(M)"); plan_tier is the tier of its subscription with the largest MRR in M
-- (ties: the smallest subscription_id), which the marts report as the tier "at the start of
-- M+1".
with

subscription_months as (
    select * from {{ ref('int_subscription_months') }}
),

-- MRR must be bit-identical month after month while an account's subscriptions and rates
-- do not change: the movements compare MRR exactly. So exact integer amounts are summed per
-- currency first, and the USD amounts of the currencies are added as decimals (exact, so
-- in any order; a double sum of three or more terms depends on the order DuckDB adds them)
account_currency_months as (
    select
        account_id,
        month,
        currency,
        any_value(usd_per_unit) as usd_per_unit,
        sum(arr_cents) as arr_cents
    from subscription_months
    group by account_id, month, currency
),

account_mrr as (
    select
        account_id,
        month,
        {{ exact_sum('arr_cents / 1200.0 * usd_per_unit') }} as mrr_usd
    from account_currency_months
    group by account_id, month
),

account_plan as (
    select
        account_id,
        month,
        {{ first_by('plan_tier', [['mrr_usd', 'desc'], ['subscription_id', 'asc']]) }} as plan_tier,
        count(*) as active_subscriptions
    from subscription_months
    group by account_id, month
),

active_months as (
    select
        account_mrr.account_id,
        account_mrr.month,
        account_mrr.mrr_usd,
        account_plan.plan_tier,
        account_plan.active_subscriptions
    from account_mrr
    inner join account_plan
        on account_mrr.account_id = account_plan.account_id
            and account_mrr.month = account_plan.month
    where account_mrr.mrr_usd > 0
),

final as (
    select
        account_id,
        month,
        mrr_usd,
        plan_tier,
        active_subscriptions,
        min(month) over (partition by account_id) as first_active_month
    from active_months
)

select * from final
