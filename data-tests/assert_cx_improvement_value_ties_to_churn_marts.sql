-- sqlfluff:indentation:template_blocks_indent:False
-- cx_improvement_value ties out: over its window, the all-FCR and non-FCR account-months plus
-- the no-ticket ones equal churn_by_segment's accounts_at_start (dimension `all`), and the
-- churned accounts likewise; every scenario shares one baseline. Returns the failures.
-- A partial build that leaves one of the compared models unbuilt has nothing to tie out
-- (macro relations_built).
{%- if relations_built(['cx_improvement_value', 'churn_by_support_experience', 'churn_by_segment']) %}
with

improvement as (
    select * from {{ ref('cx_improvement_value') }}
),

churn_by_support_experience as (
    select * from {{ ref('churn_by_support_experience') }}
),

churn_by_segment as (
    select * from {{ ref('churn_by_segment') }}
),

windows as (
    select distinct
        window_start_month,
        window_end_month,
        all_fcr_account_months + non_fcr_account_months as ticket_account_months,
        all_fcr_churned_accounts + non_fcr_churned_accounts as ticket_churned_accounts
    from improvement
),

no_tickets as (
    select
        windows.window_start_month,
        coalesce(sum(churn.accounts_at_start), 0) as account_months,
        coalesce(sum(churn.churned_accounts), 0) as churned_accounts
    from windows
    left join churn_by_support_experience as churn
        on churn.month between windows.window_start_month and windows.window_end_month
            and churn.support_experience = 'no_tickets'
    group by windows.window_start_month
),

segment_totals as (
    select
        windows.window_start_month,
        coalesce(sum(churn.accounts_at_start), 0) as account_months,
        coalesce(sum(churn.churned_accounts), 0) as churned_accounts
    from windows
    left join churn_by_segment as churn
        on churn.month between windows.window_start_month and windows.window_end_month
            and churn.dimension = 'all'
    group by windows.window_start_month
),

baselines as (
    select count(*) as baselines from windows
),

final as (
    select
        windows.*,
        no_tickets.account_months as no_ticket_account_months,
        segment_totals.account_months as all_account_months,
        baselines.baselines
    from windows
    cross join baselines
    inner join no_tickets on windows.window_start_month = no_tickets.window_start_month
    inner join segment_totals on windows.window_start_month = segment_totals.window_start_month
    where windows.ticket_account_months + no_tickets.account_months <> segment_totals.account_months
        or windows.ticket_churned_accounts + no_tickets.churned_accounts
        <> segment_totals.churned_accounts
        or baselines.baselines <> 1
)

select * from final
{%- else %}
select 1 as not_built
where false
{%- endif %}
