-- Cohort = the account's first active month (the month it counts as `new` in mrr_bridge).
with

account_months as (
    select * from {{ ref('int_account_months') }}
),

accounts as (
    select * from {{ ref('int_accounts') }}
),

revenue_months as (
    select * from {{ ref('int_account_revenue_months') }}
),

marketing_spend as (
    select * from {{ ref('int_marketing_spend_usd') }}
),

reporting_period as (
    select * from {{ ref('int_validated_reporting_period') }}
),

cohort_members as (
    select
        account_months.account_id,
        account_months.month as cohort_month,
        account_months.mrr_usd as starting_mrr_usd,
        accounts.acquisition_channel
    from account_months
    inner join accounts on account_months.account_id = accounts.account_id
    where account_months.month = account_months.first_active_month
),

cohorts as (
    select
        cohort_month,
        case when grouping(acquisition_channel) = 0 then acquisition_channel else 'all' end
            as acquisition_channel,
        count(*) as new_accounts,
        {{ exact_sum('starting_mrr_usd') }} as starting_mrr_usd
    from cohort_members
    group by grouping sets ((cohort_month), (cohort_month, acquisition_channel))  -- noqa: PRS
),

spend as (
    select
        spend_month as cohort_month,
        case when grouping(channel) = 0 then channel else 'all' end as acquisition_channel,
        {{ exact_sum('amount_usd') }} as spend_usd
    from marketing_spend
    group by grouping sets ((spend_month), (spend_month, channel))  -- noqa: PRS
),

cohort_channels as (
    select
        coalesce(cohorts.cohort_month, spend.cohort_month) as cohort_month,
        coalesce(cohorts.acquisition_channel, spend.acquisition_channel) as acquisition_channel,
        coalesce(spend.spend_usd, 0.0) as spend_usd,
        coalesce(cohorts.new_accounts, 0) as new_accounts,
        coalesce(cohorts.starting_mrr_usd, 0.0) as starting_mrr_usd
    from cohorts
    full outer join spend
        on cohorts.cohort_month = spend.cohort_month
            and cohorts.acquisition_channel = spend.acquisition_channel
),

-- net revenue of the cohort's accounts by k = months since the cohort month; payments before
-- the cohort month (e.g. a prepayment) count at k = 0
member_revenue as (
    select
        cohort_members.cohort_month,
        cohort_members.acquisition_channel,
        greatest(
            {{ months_between('cohort_members.cohort_month', 'revenue_months.month') }}, 0
        ) as months_since_start,
        revenue_months.net_revenue_usd
    from cohort_members
    inner join revenue_months on cohort_members.account_id = revenue_months.account_id
),

cohort_revenue as (
    select
        cohort_month,
        case when grouping(acquisition_channel) = 0 then acquisition_channel else 'all' end
            as acquisition_channel,
        months_since_start,
        {{ exact_sum('net_revenue_usd') }} as net_revenue_usd
    from member_revenue
    group by grouping sets (  -- noqa: PRS
        (cohort_month, months_since_start),
        (cohort_month, months_since_start, acquisition_channel)
    )
),

-- k = 0 .. (last complete month - cohort month) for every cohort with accounts: bounded by
-- months x months x channels, not by accounts
cohort_grid as (
    select
        cohort_channels.cohort_month,
        cohort_channels.acquisition_channel,
        {{ safe_divide('cohort_channels.spend_usd', 'cohort_channels.new_accounts') }} as cac_usd,
        cohort_channels.new_accounts,
        {{ integer_series(
            '0', months_between('cohort_channels.cohort_month', 'reporting_period.last_complete_month')
        ) }} as months_since_start
    from cohort_channels
    cross join reporting_period
    where cohort_channels.new_accounts > 0
),

cumulative as (
    select
        cohort_grid.cohort_month,
        cohort_grid.acquisition_channel,
        cohort_grid.months_since_start,
        cohort_grid.cac_usd,
        {{ exact_sum(
            'coalesce(cohort_revenue.net_revenue_usd, 0.0)',
            over='partition by cohort_grid.cohort_month, cohort_grid.acquisition_channel'
            ~ ' order by cohort_grid.months_since_start'
            ~ ' rows between unbounded preceding and current row'
        ) }} / cohort_grid.new_accounts as cumulative_net_revenue_per_account_usd
    from cohort_grid
    left join cohort_revenue
        on cohort_grid.cohort_month = cohort_revenue.cohort_month
            and cohort_grid.acquisition_channel = cohort_revenue.acquisition_channel
            and cohort_grid.months_since_start = cohort_revenue.months_since_start
),

payback as (
    select
        cohort_month,
        acquisition_channel,
        -- CAC 0 (no spend): nothing to pay back, so k = 0 by definition, even when the
        -- first months net negative (a refund). Otherwise the first k at which the running
        -- total reaches CAC within the contract's 1e-6: sums of cent amounts in floating
        -- point must not move payback by a whole month
        min(months_since_start) filter (
            where cac_usd = 0 or cumulative_net_revenue_per_account_usd >= cac_usd - 1e-6
        ) as payback_months,
        max_by(cumulative_net_revenue_per_account_usd, months_since_start)
            as cumulative_net_revenue_per_account_usd
    from cumulative
    group by cohort_month, acquisition_channel
),

-- logo retention: cohort accounts still active k = 3, 6, 12 months after the cohort month
member_retention as (
    select
        cohort_members.cohort_month,
        cohort_members.acquisition_channel,
        {{ months_between('cohort_members.cohort_month', 'account_months.month') }}
            as months_since_start
    from cohort_members
    inner join account_months
        on cohort_members.account_id = account_months.account_id
            and account_months.month in (
                {{ add_months('cohort_members.cohort_month', 3) }},
                {{ add_months('cohort_members.cohort_month', 6) }},
                {{ add_months('cohort_members.cohort_month', 12) }}
            )
),

retention as (
    select
        cohort_month,
        case when grouping(acquisition_channel) = 0 then acquisition_channel else 'all' end
            as acquisition_channel,
        count_if(months_since_start = 3) as active_accounts_3m,
        count_if(months_since_start = 6) as active_accounts_6m,
        count_if(months_since_start = 12) as active_accounts_12m
    from member_retention
    group by grouping sets ((cohort_month), (cohort_month, acquisition_channel))  -- noqa: PRS
),

joined as (
    select
        cohort_channels.cohort_month,
        cohort_channels.acquisition_channel,
        cohort_channels.spend_usd,
        cohort_channels.new_accounts,
        cohort_channels.starting_mrr_usd,
        {{ months_between('cohort_channels.cohort_month', 'reporting_period.last_complete_month') }}
            as months_observed,
        payback.payback_months,
        payback.cumulative_net_revenue_per_account_usd,
        -- observable once cohort month + k is complete; 0 when no account is left
        case
            when {{ add_months('cohort_channels.cohort_month', 3) }} <= reporting_period.last_complete_month
                then coalesce(retention.active_accounts_3m, 0)
        end as active_accounts_3m,
        case
            when {{ add_months('cohort_channels.cohort_month', 6) }} <= reporting_period.last_complete_month
                then coalesce(retention.active_accounts_6m, 0)
        end as active_accounts_6m,
        case
            when {{ add_months('cohort_channels.cohort_month', 12) }} <= reporting_period.last_complete_month
                then coalesce(retention.active_accounts_12m, 0)
        end as active_accounts_12m
    from cohort_channels
    cross join reporting_period
    left join payback
        on cohort_channels.cohort_month = payback.cohort_month
            and cohort_channels.acquisition_channel = payback.acquisition_channel
    left join retention
        on cohort_channels.cohort_month = retention.cohort_month
            and cohort_channels.acquisition_channel = retention.acquisition_channel
    where cohort_channels.cohort_month <= reporting_period.last_complete_month
        and (cohort_channels.new_accounts > 0 or cohort_channels.spend_usd > 0)
),

final as (
    select
        cohort_month,
        acquisition_channel,
        cast(spend_usd as double) as spend_usd,
        cast(new_accounts as bigint) as new_accounts,
        {{ safe_divide('spend_usd', 'new_accounts') }} as cac_usd,
        cast(starting_mrr_usd as double) as starting_mrr_usd,
        {{ safe_divide('starting_mrr_usd', 'new_accounts') }} as starting_mrr_per_account_usd,
        {{ safe_divide(
            safe_divide('spend_usd', 'new_accounts'),
            safe_divide('starting_mrr_usd', 'new_accounts')
        ) }} as mrr_payback_months,
        cast(months_observed as bigint) as months_observed,
        cast(cumulative_net_revenue_per_account_usd as double) as cumulative_net_revenue_per_account_usd,
        cast(payback_months as bigint) as payback_months,
        cast(active_accounts_3m as bigint) as active_accounts_3m,
        {{ safe_divide('active_accounts_3m', 'new_accounts') }} as logo_retention_3m,
        cast(active_accounts_6m as bigint) as active_accounts_6m,
        {{ safe_divide('active_accounts_6m', 'new_accounts') }} as logo_retention_6m,
        cast(active_accounts_12m as bigint) as active_accounts_12m,
        {{ safe_divide('active_accounts_12m', 'new_accounts') }} as logo_retention_12m
    from joined
)

select * from final
