-- One row per (account, month M) where p = MRR(M-1) > 0 or c = MRR(M) > 0, for M through
-- the last complete month: the account's MRR movement in M. Every MRR-based mart reads
-- movements from here, so new / reactivation / expansion / contraction / churn are defined
-- once (docs/marts.md "MRR movements"; comparisons are exact). A month without an active
-- row has MRR 0.
with

account_months as (
    select * from {{ ref('int_account_months') }}
),

reporting_period as (
    select * from {{ ref('int_reporting_period') }}
),

current_month as (
    select
        account_id,
        month,
        mrr_usd,
        first_active_month
    from account_months
),

-- each active month seen from the next month: it is that month's starting MRR
previous_month as (
    select
        account_months.account_id,
        {{ add_months('account_months.month', 1) }} as month,
        account_months.mrr_usd,
        account_months.plan_tier,
        account_months.first_active_month
    from account_months
    cross join reporting_period
    where account_months.month < reporting_period.last_complete_month
),

joined as (
    select
        coalesce(current_month.account_id, previous_month.account_id) as account_id,
        coalesce(current_month.month, previous_month.month) as month,
        coalesce(previous_month.mrr_usd, 0.0) as mrr_previous_usd,
        coalesce(current_month.mrr_usd, 0.0) as mrr_current_usd,
        previous_month.plan_tier as plan_tier_at_start,
        coalesce(current_month.first_active_month, previous_month.first_active_month)
            as first_active_month,
        -- n = whole months from the first active month to M, for accounts active at the start
        {{ months_between('previous_month.first_active_month', 'previous_month.month') }}
            as tenure_months_at_start
    from current_month
    full outer join previous_month
        on current_month.account_id = previous_month.account_id
            and current_month.month = previous_month.month
),

final as (
    select
        account_id,
        month,
        mrr_previous_usd,
        mrr_current_usd,
        case
            when mrr_previous_usd = 0 and month = first_active_month then 'new'
            when mrr_previous_usd = 0 then 'reactivation'
            when mrr_current_usd = 0 then 'churn'
            when mrr_current_usd > mrr_previous_usd then 'expansion'
            when mrr_current_usd < mrr_previous_usd then 'contraction'
            else 'unchanged'
        end as movement,
        mrr_current_usd - mrr_previous_usd as mrr_change_usd,
        first_active_month,
        plan_tier_at_start,
        tenure_months_at_start,
        {{ tenure_band('tenure_months_at_start') }} as tenure_band_at_start
    from joined
)

select * from final
