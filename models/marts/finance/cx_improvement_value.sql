{%- set scenarios = cx_improvement_scenarios() -%}
{%- set default_scenario = cx_improvement_default() | trim | float -%}

with

churn_by_support_experience as (
    select * from {{ ref('churn_by_support_experience') }}
),

reporting_period as (
    select * from {{ ref('int_validated_reporting_period') }}
),

-- the trailing 12 complete months
analysis_window as (
    select
        as_of_date,
        {{ add_months('last_complete_month', -11) }} as window_start_month,
        last_complete_month as window_end_month
    from reporting_period
),

baseline as (
    select
        analysis_window.as_of_date,
        analysis_window.window_start_month,
        analysis_window.window_end_month,
        count(distinct churn.month) as months_in_window,
        coalesce(sum(churn.accounts_at_start) filter (
            where churn.support_experience = 'all_fcr'
        ), 0) as all_fcr_account_months,
        coalesce(sum(churn.churned_accounts) filter (
            where churn.support_experience = 'all_fcr'
        ), 0) as all_fcr_churned_accounts,
        coalesce(sum(churn.accounts_at_start) filter (
            where churn.support_experience = 'had_unresolved_or_non_fcr'
        ), 0) as non_fcr_account_months,
        coalesce(sum(churn.churned_accounts) filter (
            where churn.support_experience = 'had_unresolved_or_non_fcr'
        ), 0) as non_fcr_churned_accounts,
        coalesce({{ exact_sum(
            'churn.churned_mrr_usd', "churn.support_experience = 'had_unresolved_or_non_fcr'"
        ) }}, 0) as non_fcr_churned_mrr_usd
    from analysis_window
    left join churn_by_support_experience as churn
        on churn.month between analysis_window.window_start_month and analysis_window.window_end_month
    group by all
),

rates as (
    select
        *,
        {{ safe_divide('all_fcr_churned_accounts', 'all_fcr_account_months') }} as all_fcr_churn_rate,
        {{ safe_divide('non_fcr_churned_accounts', 'non_fcr_account_months') }} as non_fcr_churn_rate,
        {{ safe_divide('all_fcr_account_months', 'all_fcr_account_months + non_fcr_account_months') }}
            as all_fcr_account_share,
        {{ safe_divide('non_fcr_churned_mrr_usd', 'non_fcr_churned_accounts') }}
            as mrr_per_churned_account_usd
    from baseline
),

scenarios (fcr_improvement) as (
    values
    {% for scenario in scenarios -%}
        (cast({{ scenario }} as double)){{ ',' if not loop.last }}
    {% endfor %}
),

modelled as (
    select
        rates.*,
        cast(scenarios.fcr_improvement as double) as fcr_improvement,
        abs(scenarios.fcr_improvement - {{ default_scenario }}) < 1e-9 as is_default_scenario,
        rates.non_fcr_churn_rate - rates.all_fcr_churn_rate as churn_rate_gap,
        -- the all-FCR share of accounts with tickets rises by the same relative amount:
        -- x times the all-FCR accounts move over, at most every non-FCR account
        least(
            scenarios.fcr_improvement * rates.all_fcr_account_months,
            rates.non_fcr_account_months
        ) / nullif(rates.months_in_window, 0) as accounts_moved_per_month
    from rates
    cross join scenarios
),

final as (
    select
        as_of_date,
        window_start_month,
        window_end_month,
        cast(months_in_window as bigint) as months_in_window,
        fcr_improvement,
        is_default_scenario,
        cast(all_fcr_account_months as bigint) as all_fcr_account_months,
        cast(all_fcr_churned_accounts as bigint) as all_fcr_churned_accounts,
        cast(all_fcr_churn_rate as double) as all_fcr_churn_rate,
        cast(non_fcr_account_months as bigint) as non_fcr_account_months,
        cast(non_fcr_churned_accounts as bigint) as non_fcr_churned_accounts,
        cast(non_fcr_churn_rate as double) as non_fcr_churn_rate,
        cast(churn_rate_gap as double) as churn_rate_gap,
        cast(all_fcr_account_share as double) as all_fcr_account_share,
        cast(non_fcr_churned_mrr_usd as double) as non_fcr_churned_mrr_usd,
        cast(mrr_per_churned_account_usd as double) as mrr_per_churned_account_usd,
        cast(accounts_moved_per_month as double) as accounts_moved_per_month,
        cast(accounts_moved_per_month * churn_rate_gap * 12 as double)
            as churned_accounts_avoided_per_year,
        cast(accounts_moved_per_month * churn_rate_gap * 12 * mrr_per_churned_account_usd as double)
            as retained_mrr_usd,
        -- avoided churn is spread evenly over the year: a saved account pays on average
        -- 6.5 of the 12 months (12 + 11 + ... + 1 = 78 = 12 x 6.5)
        cast(
            accounts_moved_per_month * churn_rate_gap * 12 * mrr_per_churned_account_usd * 6.5 as double
        ) as retained_revenue_12m_usd
    from modelled
)

select * from final
