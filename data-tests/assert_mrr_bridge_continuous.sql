-- mrr_bridge rolls forward: ending MRR and accounts of M equal starting of M+1 for every
-- (dimension, dimension_value), a missing row counting as 0
-- (models/marts/finance/mrr_bridge.yml).
with

bridge as (
    select * from {{ ref('mrr_bridge') }}
),

reporting_period as (
    select * from {{ ref('int_reporting_period') }}
),

this_month as (
    select
        {{ add_months('month', 1) }} as next_month,
        dimension,
        dimension_value,
        ending_mrr_usd,
        ending_accounts
    from bridge
),

final as (
    select
        coalesce(this_month.next_month, bridge.month) as month,
        coalesce(this_month.dimension, bridge.dimension) as dimension,
        coalesce(this_month.dimension_value, bridge.dimension_value) as dimension_value,
        coalesce(this_month.ending_mrr_usd, 0) as previous_ending_mrr_usd,
        coalesce(bridge.starting_mrr_usd, 0) as starting_mrr_usd,
        coalesce(this_month.ending_accounts, 0) as previous_ending_accounts,
        coalesce(bridge.starting_accounts, 0) as starting_accounts
    from this_month
    full outer join bridge
        on this_month.next_month = bridge.month
            and this_month.dimension = bridge.dimension
            and this_month.dimension_value = bridge.dimension_value
)

select final.*
from final
cross join reporting_period
where final.month <= reporting_period.last_complete_month
    and (
        abs(final.previous_ending_mrr_usd - final.starting_mrr_usd)
        > greatest(1e-6, 1e-12 * abs(final.starting_mrr_usd))
        or final.previous_ending_accounts <> final.starting_accounts
    )
