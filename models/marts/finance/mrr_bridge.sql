{%- set dimensions = ['segment', 'region', 'acquisition_channel'] -%}

-- depends_on: {{ ref('int_validated_reporting_period') }}
with

movements as (
    select * from {{ ref('int_account_mrr_movements') }}
),

accounts as (
    select * from {{ ref('int_accounts') }}
),

account_movements as (
    select
        movements.month,
        movements.mrr_previous_usd,
        movements.mrr_current_usd,
        movements.movement,
        accounts.segment,
        accounts.region,
        accounts.acquisition_channel
    from movements
    inner join accounts on movements.account_id = accounts.account_id
),

bridge as (
    select
        month,
        {{ dimension_columns(dimensions) }},
        {{ exact_sum('mrr_previous_usd') }} as starting_mrr_usd,
        count_if(mrr_previous_usd > 0) as starting_accounts,
        {{ exact_sum('mrr_current_usd', "movement = 'new'") }} as new_mrr_usd,
        count_if(movement = 'new') as new_accounts,
        {{ exact_sum('mrr_current_usd', "movement = 'reactivation'") }} as reactivation_mrr_usd,
        count_if(movement = 'reactivation') as reactivated_accounts,
        {{ exact_sum('mrr_current_usd - mrr_previous_usd', "movement = 'expansion'") }}
            as expansion_mrr_usd,
        count_if(movement = 'expansion') as expansion_accounts,
        {{ exact_sum('mrr_previous_usd - mrr_current_usd', "movement = 'contraction'") }}
            as contraction_mrr_usd,
        count_if(movement = 'contraction') as contraction_accounts,
        {{ exact_sum('mrr_previous_usd', "movement = 'churn'") }} as churned_mrr_usd,
        count_if(movement = 'churn') as churned_accounts,
        {{ exact_sum('mrr_current_usd') }} as ending_mrr_usd,
        count_if(mrr_current_usd > 0) as ending_accounts
    from account_movements
    group by {{ dimension_grouping_sets(['month'], dimensions) }}  -- noqa: PRS
),

final as (
    select
        month,
        dimension,
        dimension_value,
        cast(starting_mrr_usd as double) as starting_mrr_usd,
        cast(starting_accounts as bigint) as starting_accounts,
        cast(coalesce(new_mrr_usd, 0) as double) as new_mrr_usd,
        cast(new_accounts as bigint) as new_accounts,
        cast(coalesce(reactivation_mrr_usd, 0) as double) as reactivation_mrr_usd,
        cast(reactivated_accounts as bigint) as reactivated_accounts,
        cast(coalesce(expansion_mrr_usd, 0) as double) as expansion_mrr_usd,
        cast(expansion_accounts as bigint) as expansion_accounts,
        cast(coalesce(contraction_mrr_usd, 0) as double) as contraction_mrr_usd,
        cast(contraction_accounts as bigint) as contraction_accounts,
        cast(coalesce(churned_mrr_usd, 0) as double) as churned_mrr_usd,
        cast(churned_accounts as bigint) as churned_accounts,
        cast(ending_mrr_usd as double) as ending_mrr_usd,
        cast(ending_accounts as bigint) as ending_accounts
    from bridge
    where starting_mrr_usd > 0 or ending_mrr_usd > 0
)

select * from final
