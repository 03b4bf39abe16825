{%- set dimensions = ['segment', 'acquisition_channel', 'onboarding_experience'] -%}

with

cohorts as (
    select * from {{ ref('int_account_cohorts') }}
),

accounts as (
    select * from {{ ref('int_accounts') }}
),

account_months as (
    select * from {{ ref('int_account_months') }}
),

revenue_months as (
    select * from {{ ref('int_account_revenue_months') }}
),

reporting_period as (
    select * from {{ ref('int_validated_reporting_period') }}
),

cohort_members as (
    select
        cohorts.account_id,
        cohorts.cohort_month,
        coalesce(accounts.segment, 'unknown') as segment,
        coalesce(accounts.acquisition_channel, 'unknown') as acquisition_channel,
        cohorts.onboarding_experience
    from cohorts
    cross join reporting_period
    left join accounts on cohorts.account_id = accounts.account_id
    where cohorts.cohort_month <= reporting_period.last_complete_month
),

cohort_sizes as (
    select
        cohort_month,
        {{ dimension_columns(dimensions) }},
        count(*) as cohort_accounts
    from cohort_members
    group by {{ dimension_grouping_sets(['cohort_month'], dimensions) }}  -- noqa: PRS
),

-- every k = 0 .. (last complete month - cohort_month) for every cohort and dimension value
cohort_grid as (
    select
        cohort_sizes.cohort_month,
        cohort_sizes.dimension,
        cohort_sizes.dimension_value,
        cohort_sizes.cohort_accounts,
        {{ integer_series(
            '0', months_between('cohort_sizes.cohort_month', 'reporting_period.last_complete_month')
        ) }} as months_since_start
    from cohort_sizes
    cross join reporting_period
),

-- what each member did in each month since its cohort month (sparse: active or revenue)
member_activity as (
    select
        coalesce(account_months.account_id, revenue_months.account_id) as account_id,
        coalesce(account_months.month, revenue_months.month) as month,
        account_months.mrr_usd > 0 as is_active,
        coalesce(revenue_months.net_revenue_usd, 0) as net_revenue_usd
    from account_months
    full outer join revenue_months
        on account_months.account_id = revenue_months.account_id
            and account_months.month = revenue_months.month
),

member_months as (
    select
        cohort_members.cohort_month,
        {{ months_between('cohort_members.cohort_month', 'member_activity.month') }}
            as months_since_start,
        cohort_members.segment,
        cohort_members.acquisition_channel,
        cohort_members.onboarding_experience,
        coalesce(member_activity.is_active, false) as is_active,
        member_activity.net_revenue_usd
    from cohort_members
    inner join member_activity
        on cohort_members.account_id = member_activity.account_id
            and cohort_members.cohort_month <= member_activity.month
),

cohort_activity as (
    select
        cohort_month,
        months_since_start,
        {{ dimension_columns(dimensions) }},
        count_if(is_active) as active_accounts,
        {{ exact_sum('net_revenue_usd') }} as revenue_usd
    from member_months
    group by {{ dimension_grouping_sets(['cohort_month', 'months_since_start'], dimensions) }}  -- noqa: PRS
),

cohort_months as (
    select
        cohort_grid.cohort_month,
        cohort_grid.months_since_start,
        cohort_grid.dimension,
        cohort_grid.dimension_value,
        cohort_grid.cohort_accounts,
        coalesce(cohort_activity.active_accounts, 0) as active_accounts,
        coalesce(cohort_activity.revenue_usd, 0) as revenue_usd
    from cohort_grid
    left join cohort_activity
        on cohort_grid.cohort_month = cohort_activity.cohort_month
            and cohort_grid.months_since_start = cohort_activity.months_since_start
            and cohort_grid.dimension = cohort_activity.dimension
            and cohort_grid.dimension_value = cohort_activity.dimension_value
),

cumulative as (
    select
        *,
        {{ exact_sum(
            'revenue_usd',
            over='partition by cohort_month, dimension, dimension_value'
            ~ ' order by months_since_start rows between unbounded preceding and current row'
        ) }} as cumulative_revenue_usd
    from cohort_months
),

final as (
    select
        cohort_month,
        cast(months_since_start as bigint) as months_since_start,
        dimension,
        dimension_value,
        cast(cohort_accounts as bigint) as cohort_accounts,
        cast(active_accounts as bigint) as active_accounts,
        {{ safe_divide('active_accounts', 'cohort_accounts') }} as retention_rate,
        cast(revenue_usd as double) as revenue_usd,
        cast(cumulative_revenue_usd as double) as cumulative_revenue_usd,
        {{ safe_divide('cumulative_revenue_usd', 'cohort_accounts') }} as ltv_per_account_usd
    from cumulative
)

select * from final
