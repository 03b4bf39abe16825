-- One row per (account, month E) in which the account is active (MRR(E) > 0), through the
-- last complete month: whether it churns within the churn horizon, i.e. has a churn movement
-- (MRR(M-1) > 0, MRR(M) = 0) in one of the churn_horizon_months() = 3 months after E
-- (E+1 .. E+3): the single definition of "90-day churn" after a contact, a survey answer or
-- a quarter. is_horizon_complete is false while E+3 is after the last complete month; an
-- account that churned already counts, one that has not is not yet known.
with

movements as (
    select * from {{ ref('int_account_mrr_movements') }}
),

reporting_period as (
    select * from {{ ref('int_reporting_period') }}
),

next_churn as (
    select
        account_id,
        month,
        mrr_current_usd,
        min(case when movement = 'churn' then month end) over (
            partition by account_id
            order by month
            rows between 1 following and unbounded following
        ) as next_churn_month
    from movements
),

final as (
    select
        next_churn.account_id,
        next_churn.month,
        next_churn.mrr_current_usd as mrr_usd,
        next_churn.next_churn_month,
        {{ add_months('next_churn.month', churn_horizon_months()) }}
        <= reporting_period.last_complete_month as is_horizon_complete,
        coalesce(
            next_churn.next_churn_month
            <= {{ add_months('next_churn.month', churn_horizon_months()) }},
            false
        ) as churned_within_horizon
    from next_churn
    cross join reporting_period
    where next_churn.mrr_current_usd > 0
)

select * from final
