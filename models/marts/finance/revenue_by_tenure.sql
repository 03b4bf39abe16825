-- depends_on: {{ ref('int_validated_reporting_period') }}
with

account_months as (
    select * from {{ ref('int_account_months') }}
),

revenue_months as (
    select * from {{ ref('int_account_revenue_months') }}
),

first_active_months as (
    select
        account_id,
        any_value(first_active_month) as first_active_month
    from account_months
    group by account_id
),

-- every account with MRR or net revenue in M (a missing row is 0)
account_month_facts as (
    select
        coalesce(account_months.account_id, revenue_months.account_id) as account_id,
        coalesce(account_months.month, revenue_months.month) as month,
        coalesce(account_months.mrr_usd, 0.0) as mrr_usd,
        coalesce(revenue_months.net_revenue_usd, 0.0) as net_revenue_usd
    from account_months
    full outer join revenue_months
        on account_months.account_id = revenue_months.account_id
            and account_months.month = revenue_months.month
),

-- tenure n = whole months from the first active month to M (the tenure of churn_by_segment);
-- revenue before an account's first active month is `not_yet_active`
banded as (
    select
        account_month_facts.account_id,
        account_month_facts.month,
        account_month_facts.mrr_usd,
        account_month_facts.net_revenue_usd,
        case
            when
                first_active_months.first_active_month is null
                or first_active_months.first_active_month > account_month_facts.month
                then 'not_yet_active'
            else {{ tenure_band(months_between(
                'first_active_months.first_active_month', 'account_month_facts.month'
            )) }}
        end as tenure_band
    from account_month_facts
    left join first_active_months
        on account_month_facts.account_id = first_active_months.account_id
),

-- top 10% of active accounts by MRR, within the band and within the month:
-- ranks 1 .. ceil(active accounts / 10), ties broken by account_id
ranked as (
    select
        *,
        mrr_usd > 0
        and row_number() over (
            partition by month, tenure_band, mrr_usd > 0 order by mrr_usd desc, account_id asc
        ) <= {{ integer_divide('count(*) over (partition by month, tenure_band, mrr_usd > 0) + 9', '10') }}
            as is_band_top_decile,
        mrr_usd > 0
        and row_number() over (
            partition by month, mrr_usd > 0 order by mrr_usd desc, account_id asc
        ) <= {{ integer_divide('count(*) over (partition by month, mrr_usd > 0) + 9', '10') }}
            as is_month_top_decile
    from banded
),

by_band as (
    select
        month,
        case when grouping(tenure_band) = 0 then tenure_band else 'all' end as tenure_band,
        count_if(mrr_usd > 0) as active_accounts,
        {{ exact_sum('mrr_usd') }} as mrr_usd,
        {{ exact_sum('net_revenue_usd') }} as net_revenue_usd,
        case
            when grouping(tenure_band) = 0 then count_if(is_band_top_decile)
            else count_if(is_month_top_decile)
        end as top_decile_accounts,
        case
            when grouping(tenure_band) = 0 then {{ exact_sum('mrr_usd', "is_band_top_decile") }}
            else {{ exact_sum('mrr_usd', "is_month_top_decile") }}
        end as top_decile_mrr_usd
    from ranked
    group by grouping sets ((month), (month, tenure_band))  -- noqa: PRS
),

with_totals as (
    select
        *,
        max(case when tenure_band = 'all' then mrr_usd end) over (partition by month)
            as month_mrr_usd,
        max(case when tenure_band = 'all' then net_revenue_usd end) over (partition by month)
            as month_net_revenue_usd
    from by_band
),

final as (
    select
        month,
        tenure_band,
        cast(active_accounts as bigint) as active_accounts,
        cast(mrr_usd as double) as mrr_usd,
        {{ safe_divide('mrr_usd', 'month_mrr_usd') }} as mrr_share,
        cast(net_revenue_usd as double) as net_revenue_usd,
        {{ safe_divide('net_revenue_usd', 'month_net_revenue_usd') }} as net_revenue_share,
        cast(top_decile_accounts as bigint) as top_decile_accounts,
        cast(coalesce(top_decile_mrr_usd, 0) as double) as top_decile_mrr_usd,
        {{ safe_divide('coalesce(top_decile_mrr_usd, 0)', 'mrr_usd') }} as top_decile_mrr_share
    from with_totals
)

select * from final
