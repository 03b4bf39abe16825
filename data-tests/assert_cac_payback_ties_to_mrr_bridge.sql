-- sqlfluff:indentation:template_blocks_indent:False
-- cac_payback_by_channel ties out: new accounts and their starting MRR per (cohort month,
-- channel) equal mrr_bridge's new_accounts and new_mrr_usd for the acquisition_channel
-- dimension (`all` for `all`); spend of `all` is the sum of the channels and of
-- int_marketing_spend_usd. Returns the rows that do not tie out.
-- A partial build that leaves one of the compared models unbuilt has nothing to tie out
-- (macro relations_built).
{%- if relations_built(['cac_payback_by_channel', 'mrr_bridge', 'int_marketing_spend_usd']) %}
with

payback as (
    select * from {{ ref('cac_payback_by_channel') }}
),

bridge as (
    select * from {{ ref('mrr_bridge') }}
),

marketing_spend as (
    select * from {{ ref('int_marketing_spend_usd') }}
),

bridge_new as (
    select
        month as cohort_month,
        dimension_value as acquisition_channel,
        new_accounts,
        new_mrr_usd
    from bridge
    where dimension in ('all', 'acquisition_channel') and new_accounts > 0
),

new_accounts as (
    select
        coalesce(payback.cohort_month, bridge_new.cohort_month) as cohort_month,
        coalesce(payback.acquisition_channel, bridge_new.acquisition_channel) as acquisition_channel,
        coalesce(payback.new_accounts, 0) as payback_new_accounts,
        coalesce(bridge_new.new_accounts, 0) as bridge_new_accounts,
        coalesce(payback.starting_mrr_usd, 0) as payback_starting_mrr_usd,
        coalesce(bridge_new.new_mrr_usd, 0) as bridge_new_mrr_usd
    from payback
    full outer join bridge_new
        on payback.cohort_month = bridge_new.cohort_month
            and payback.acquisition_channel = bridge_new.acquisition_channel
    where coalesce(payback.new_accounts, 0) > 0 or bridge_new.new_accounts > 0
),

spend_totals as (
    select
        cohort_month,
        sum(spend_usd) filter (where acquisition_channel <> 'all') as channel_spend_usd,
        sum(spend_usd) filter (where acquisition_channel = 'all') as all_spend_usd
    from payback
    group by cohort_month
),

spend_source as (
    select
        spend_month as cohort_month,
        sum(amount_usd) as spend_usd
    from marketing_spend
    group by spend_month
),

final as (
    select
        'new accounts' as check_name,
        cohort_month,
        acquisition_channel,
        payback_new_accounts - bridge_new_accounts as difference
    from new_accounts
    where payback_new_accounts <> bridge_new_accounts
        or abs(payback_starting_mrr_usd - bridge_new_mrr_usd)
        > greatest(1e-6, 1e-9 * abs(bridge_new_mrr_usd))

    union all

    select
        'spend' as check_name,
        spend_totals.cohort_month,
        'all' as acquisition_channel,
        spend_totals.all_spend_usd - coalesce(spend_source.spend_usd, 0) as difference
    from spend_totals
    left join spend_source on spend_totals.cohort_month = spend_source.cohort_month
    where abs(spend_totals.all_spend_usd - spend_totals.channel_spend_usd) > 1e-6
        or abs(spend_totals.all_spend_usd - coalesce(spend_source.spend_usd, 0)) > 1e-6
)

select * from final
{%- else %}
select 1 as not_built
where false
{%- endif %}
