-- sqlfluff:indentation:template_blocks_indent:False
-- revenue_by_tenure ties out: per month, MRR and active accounts of `all` equal mrr_bridge's
-- ending MRR and accounts (dimension `all`), the tenure bands add up to `all` (accounts, MRR,
-- net revenue), and net revenue of `all` equals the accounts' net revenue of the month.
-- Returns the months that do not tie out.
-- A partial build that leaves one of the compared models unbuilt has nothing to tie out
-- (macro relations_built).
{%- if relations_built(['revenue_by_tenure', 'mrr_bridge', 'int_account_revenue_months']) %}
with

tenure as (
    select * from {{ ref('revenue_by_tenure') }}
),

bridge as (
    select * from {{ ref('mrr_bridge') }}
),

revenue_months as (
    select * from {{ ref('int_account_revenue_months') }}
),

bands as (
    select
        month,
        sum(active_accounts) as band_accounts,
        sum(mrr_usd) as band_mrr_usd,
        sum(net_revenue_usd) as band_net_revenue_usd,
        sum(mrr_share) as mrr_share_total,
        sum(net_revenue_share) as net_revenue_share_total
    from tenure
    where tenure_band <> 'all'
    group by month
),

revenue as (
    select
        month,
        sum(net_revenue_usd) as net_revenue_usd
    from revenue_months
    group by month
),

totals as (
    select
        coalesce(tenure.month, bridge.month) as month,
        coalesce(tenure.active_accounts, 0) as tenure_accounts,
        coalesce(bridge.ending_accounts, 0) as bridge_accounts,
        coalesce(tenure.mrr_usd, 0) as tenure_mrr_usd,
        coalesce(bridge.ending_mrr_usd, 0) as bridge_mrr_usd,
        coalesce(tenure.net_revenue_usd, 0) as tenure_net_revenue_usd
    from tenure
    full outer join bridge
        on tenure.month = bridge.month
            and bridge.dimension = 'all'
    where coalesce(tenure.tenure_band, 'all') = 'all'
        and coalesce(bridge.dimension, 'all') = 'all'
),

final as (
    select
        totals.*,
        bands.band_accounts,
        bands.band_mrr_usd,
        bands.band_net_revenue_usd,
        bands.mrr_share_total,
        bands.net_revenue_share_total,
        coalesce(revenue.net_revenue_usd, 0) as revenue_net_revenue_usd
    from totals
    left join bands on totals.month = bands.month
    left join revenue on totals.month = revenue.month
)

select * from final
where tenure_accounts <> bridge_accounts
    or abs(tenure_mrr_usd - bridge_mrr_usd) > greatest(1e-6, 1e-9 * abs(bridge_mrr_usd))
    or coalesce(band_accounts, 0) <> tenure_accounts
    or abs(coalesce(band_mrr_usd, 0) - tenure_mrr_usd) > greatest(1e-6, 1e-9 * abs(tenure_mrr_usd))
    or abs(coalesce(band_net_revenue_usd, 0) - tenure_net_revenue_usd)
    > greatest(1e-6, 1e-9 * abs(tenure_net_revenue_usd))
    or abs(tenure_net_revenue_usd - revenue_net_revenue_usd)
    > greatest(1e-6, 1e-9 * abs(revenue_net_revenue_usd))
    or abs(mrr_share_total - 1) > 1e-9
    or abs(net_revenue_share_total - 1) > 1e-9
{%- else %}
select 1 as not_built
where false
{%- endif %}
