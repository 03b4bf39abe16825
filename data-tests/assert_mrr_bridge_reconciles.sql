-- Every mrr_bridge row reconciles: starting + new + reactivation + expansion - contraction
-- - churned = ending, within max(1e-6, 1e-12 x |ending|)
-- (models/marts/finance/mrr_bridge.yml).
with

bridge as (
    select * from {{ ref('mrr_bridge') }}
),

final as (
    select
        month,
        dimension,
        dimension_value,
        starting_mrr_usd + new_mrr_usd + reactivation_mrr_usd + expansion_mrr_usd
        - contraction_mrr_usd - churned_mrr_usd as rolled_forward_mrr_usd,
        ending_mrr_usd,
        starting_accounts + new_accounts + reactivated_accounts - churned_accounts
            as rolled_forward_accounts,
        ending_accounts
    from bridge
)

select * from final
where abs(rolled_forward_mrr_usd - ending_mrr_usd) > greatest(1e-6, 1e-12 * abs(ending_mrr_usd))
    or rolled_forward_accounts <> ending_accounts
