with

churn_by_segment as (
    select * from {{ ref('churn_by_segment') }}
),

first_contact_resolution as (
    select * from {{ ref('first_contact_resolution') }}
),

feedback_loop as (
    select * from {{ ref('feedback_loop') }}
),

cohort_ltv as (
    select * from {{ ref('cohort_ltv') }}
),

support_sla as (
    select * from {{ ref('support_sla') }}
),

ticket_facts as (
    select * from {{ ref('int_ticket_facts') }}
),

survey_responses as (
    select * from {{ ref('int_survey_responses') }}
),

account_months as (
    select * from {{ ref('int_account_months') }}
),

reporting_period as (
    select * from {{ ref('int_validated_reporting_period') }}
),

-- complete quarters, from the quarter of the first month any account is active
quarter_bounds as (
    select
        {{ quarter_of('min(account_months.month)') }} as first_quarter,
        {{ add_months(quarter_of(add_months('any_value(reporting_period.last_complete_month)', 1)), -3) }}
            as last_quarter
    from account_months
    cross join reporting_period
),

quarters as (
    select {{ month_series('first_quarter', 'last_quarter', 3) }} as quarter
    from quarter_bounds
    where first_quarter <= last_quarter
),

churn as (
    select
        {{ quarter_of('month') }} as quarter,
        {{ safe_divide('sum(churned_accounts)', 'sum(accounts_at_start)') }} as logo_churn_rate,
        {{ safe_divide(
            exact_sum('mrr_at_start_usd - churned_mrr_usd - contraction_mrr_usd + expansion_mrr_usd'),
            exact_sum('mrr_at_start_usd')
        ) }} as net_mrr_retention
    from churn_by_segment
    where dimension = 'all'
    group by 1
),

resolution as (
    select
        {{ quarter_of('month') }} as quarter,
        {{ safe_divide('sum(fcr_tickets)', 'sum(solved_tickets)') }} as fcr_rate
    from first_contact_resolution
    where dimension = 'all'
    group by 1
),

resolution_time as (
    select
        {{ quarter_of('solved_month') }} as quarter,
        {{ median_of('resolution_hours') }} as median_resolution_hours
    from ticket_facts
    where is_solved
    group by 1
),

feedback as (
    select
        quarter,
        avg(score) filter (where survey_type = 'csat') as csat_average,
        {{ nps_of('score', "survey_type = 'nps'") }} as nps
    from survey_responses
    group by 1
),

closed_loop as (
    select
        {{ quarter_of('month') }} as quarter,
        {{ safe_divide('sum(detractors_followed_up)', 'sum(detractors)') }} as closed_loop_rate
    from feedback_loop
    where dimension = 'all'
    group by 1
),

-- 6-month LTV: cumulative net revenue per account over months 0 .. 5 of the cohorts whose
-- sixth month (cohort_month + 5) falls in the quarter
ltv as (
    select
        {{ quarter_of('cohort_ltv.cohort_month + interval 5 month') }} as quarter,
        {{ safe_divide(exact_sum('cumulative_revenue_usd'), 'sum(cohort_accounts)') }}
            as ltv_6m_per_account_usd
    from cohort_ltv
    where cohort_ltv.dimension = 'all' and cohort_ltv.months_since_start = 5
    group by 1
),

-- SLA attainment in business hours, pooled over the quarter's months of support_sla `all`
sla as (
    select
        {{ quarter_of('month') }} as quarter,
        {{ safe_divide(
            'sum(first_reply_sla_met)', 'sum(first_reply_sla_met) + sum(first_reply_sla_breached)'
        ) }} as first_reply_sla_attainment,
        {{ safe_divide(
            'sum(resolution_sla_met)', 'sum(resolution_sla_met) + sum(resolution_sla_breached)'
        ) }} as resolution_sla_attainment
    from support_sla
    where dimension = 'all'
    group by 1
),

wide as (
    select
        quarters.quarter,
        churn.logo_churn_rate,
        churn.net_mrr_retention,
        resolution.fcr_rate,
        resolution_time.median_resolution_hours,
        feedback.csat_average,
        feedback.nps,
        closed_loop.closed_loop_rate,
        ltv.ltv_6m_per_account_usd,
        sla.first_reply_sla_attainment,
        sla.resolution_sla_attainment
    from quarters
    left join churn on quarters.quarter = churn.quarter
    left join resolution on quarters.quarter = resolution.quarter
    left join resolution_time on quarters.quarter = resolution_time.quarter
    left join feedback on quarters.quarter = feedback.quarter
    left join closed_loop on quarters.quarter = closed_loop.quarter
    left join ltv on quarters.quarter = ltv.quarter
    left join sla on quarters.quarter = sla.quarter
),

metrics (metric, unit, higher_is_better) as (
    values
    ('logo_churn_rate', 'fraction', false),
    ('net_mrr_retention', 'fraction', true),
    ('fcr_rate', 'fraction', true),
    ('median_resolution_hours', 'hours', false),
    ('csat_average', 'score 1-5', true),
    ('nps', 'nps -1..1', true),
    ('closed_loop_rate', 'fraction', true),
    ('ltv_6m_per_account_usd', 'usd', true),
    ('first_reply_sla_attainment', 'fraction', true),
    ('resolution_sla_attainment', 'fraction', true)
),

long as (
    select
        wide.quarter,
        metrics.metric,
        metrics.unit,
        metrics.higher_is_better,
        case metrics.metric
            when 'logo_churn_rate' then wide.logo_churn_rate
            when 'net_mrr_retention' then wide.net_mrr_retention
            when 'fcr_rate' then wide.fcr_rate
            when 'median_resolution_hours' then wide.median_resolution_hours
            when 'csat_average' then wide.csat_average
            when 'nps' then wide.nps
            when 'closed_loop_rate' then wide.closed_loop_rate
            when 'ltv_6m_per_account_usd' then wide.ltv_6m_per_account_usd
            when 'first_reply_sla_attainment' then wide.first_reply_sla_attainment
            when 'resolution_sla_attainment' then wide.resolution_sla_attainment
        end as value
    from wide
    cross join metrics
),

final as (
    select
        quarter,
        metric,
        unit,
        higher_is_better,
        cast(value as double) as value,
        cast(lag(value) over (partition by metric order by quarter) as double)
            as previous_quarter_value,
        cast(value - lag(value) over (partition by metric order by quarter) as double) as change
    from long
)

select * from final
