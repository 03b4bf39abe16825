{%- set dimensions = [
    'segment', 'industry', 'region', 'acquisition_channel', 'plan_tier', 'tenure_band'
] -%}

-- depends_on: {{ ref('int_validated_reporting_period') }}
with

movements as (
    select * from {{ ref('int_account_mrr_movements') }}
),

accounts as (
    select * from {{ ref('int_accounts') }}
),

-- accounts active at the start of M: MRR(M-1) > 0
accounts_at_start as (
    select
        movements.month,
        movements.mrr_previous_usd,
        movements.mrr_current_usd,
        movements.movement,
        accounts.segment,
        accounts.industry,
        accounts.region,
        accounts.acquisition_channel,
        movements.plan_tier_at_start as plan_tier,
        movements.tenure_band_at_start as tenure_band
    from movements
    inner join accounts on movements.account_id = accounts.account_id
    where movements.mrr_previous_usd > 0
),

churn as (
    select
        month,
        {{ dimension_columns(dimensions) }},
        count(*) as accounts_at_start,
        count_if(movement = 'churn') as churned_accounts,
        {{ exact_sum('mrr_previous_usd') }} as mrr_at_start_usd,
        coalesce({{ exact_sum('mrr_previous_usd', "movement = 'churn'") }}, 0) as churned_mrr_usd,
        coalesce(
            {{ exact_sum('mrr_previous_usd - mrr_current_usd', "movement = 'contraction'") }}, 0
        ) as contraction_mrr_usd,
        coalesce(
            {{ exact_sum('mrr_current_usd - mrr_previous_usd', "movement = 'expansion'") }}, 0
        ) as expansion_mrr_usd
    from accounts_at_start
    group by {{ dimension_grouping_sets(['month'], dimensions) }}  -- noqa: PRS
),

final as (
    select
        month,
        dimension,
        dimension_value,
        cast(accounts_at_start as bigint) as accounts_at_start,
        cast(churned_accounts as bigint) as churned_accounts,
        {{ safe_divide('churned_accounts', 'accounts_at_start') }} as logo_churn_rate,
        cast(mrr_at_start_usd as double) as mrr_at_start_usd,
        cast(churned_mrr_usd as double) as churned_mrr_usd,
        cast(contraction_mrr_usd as double) as contraction_mrr_usd,
        cast(expansion_mrr_usd as double) as expansion_mrr_usd,
        {{ safe_divide('churned_mrr_usd + contraction_mrr_usd', 'mrr_at_start_usd') }}
            as gross_mrr_churn_rate,
        {{ safe_divide(
            'mrr_at_start_usd - churned_mrr_usd - contraction_mrr_usd + expansion_mrr_usd',
            'mrr_at_start_usd'
        ) }} as net_mrr_retention
    from churn
)

select * from final
