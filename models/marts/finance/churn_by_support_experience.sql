-- depends_on: {{ ref('int_validated_reporting_period') }}
with

movements as (
    select * from {{ ref('int_account_mrr_movements') }}
),

support_experience as (
    select * from {{ ref('int_account_support_experience') }}
),

-- accounts active at the start of M (MRR(M-1) > 0), each in exactly one experience
accounts_at_start as (
    select
        movements.month,
        movements.mrr_previous_usd,
        movements.movement,
        case
            when support_experience.unresolved_or_non_fcr_tickets > 0
                then 'had_unresolved_or_non_fcr'
            when support_experience.tickets_in_window > 0 then 'all_fcr'
            else 'no_tickets'
        end as support_experience
    from movements
    left join support_experience
        on movements.account_id = support_experience.account_id
            and movements.month = support_experience.month
    where movements.mrr_previous_usd > 0
),

churn as (
    select
        month,
        support_experience,
        count(*) as accounts_at_start,
        count_if(movement = 'churn') as churned_accounts,
        {{ exact_sum('mrr_previous_usd') }} as mrr_at_start_usd,
        coalesce({{ exact_sum('mrr_previous_usd', "movement = 'churn'") }}, 0) as churned_mrr_usd
    from accounts_at_start
    group by month, support_experience
),

final as (
    select
        month,
        support_experience,
        cast(accounts_at_start as bigint) as accounts_at_start,
        cast(churned_accounts as bigint) as churned_accounts,
        {{ safe_divide('churned_accounts', 'accounts_at_start') }} as logo_churn_rate,
        cast(mrr_at_start_usd as double) as mrr_at_start_usd,
        cast(churned_mrr_usd as double) as churned_mrr_usd
    from churn
)

select * from final
