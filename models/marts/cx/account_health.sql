with

accounts as (
    select * from {{ ref('int_accounts') }}
),

account_months as (
    select * from {{ ref('int_account_months') }}
),

cohorts as (
    select * from {{ ref('int_account_cohorts') }}
),

ticket_facts as (
    select * from {{ ref('int_ticket_facts') }}
),

survey_responses as (
    select * from {{ ref('int_survey_responses') }}
),

reporting_period as (
    select * from {{ ref('int_validated_reporting_period') }}
),

-- the snapshot: MRR and plan of the last complete month; tickets and surveys of the
-- 90 days before the as-of date, i.e. [as_of_date - 90 days, as_of_date)
snapshot as (
    select
        as_of_date,
        last_complete_month,
        cast(as_of_date as timestamp) as as_of_at,
        cast(as_of_date as timestamp) - interval {{ snapshot_days() }} day as window_start_at
    from reporting_period
),

activity as (
    select
        account_months.account_id,
        min(account_months.month) as first_active_month,
        max(account_months.month) as last_active_month,
        max(account_months.mrr_usd) filter (where account_months.month = snapshot.last_complete_month)
            as mrr_usd,
        max(account_months.plan_tier) filter (where account_months.month = snapshot.last_complete_month)
            as plan_tier
    from account_months
    cross join snapshot
    -- months up to the last complete month only: an account whose first MRR is in the
    -- current, incomplete month has no first_active_month yet (nor is_active or tenure)
    where account_months.month <= snapshot.last_complete_month
    group by account_months.account_id
),

tickets as (
    select
        ticket_facts.account_id,
        count_if(
            ticket_facts.created_at >= snapshot.window_start_at
            and ticket_facts.created_at < snapshot.as_of_at
        )
            as tickets_90d,
        count_if(
            ticket_facts.created_at >= snapshot.window_start_at
            and ticket_facts.created_at < snapshot.as_of_at
            and ticket_facts.is_solved
        ) as solved_tickets_90d,
        count_if(
            ticket_facts.created_at >= snapshot.window_start_at
            and ticket_facts.created_at < snapshot.as_of_at
            and ticket_facts.is_fcr
        ) as fcr_tickets_90d,
        count_if(ticket_facts.created_at < snapshot.as_of_at and not ticket_facts.is_solved)
            as open_tickets,
        max(ticket_facts.created_at) filter (where ticket_facts.created_at < snapshot.as_of_at)
            as last_ticket_at
    from ticket_facts
    cross join snapshot
    where ticket_facts.account_id is not null
    group by ticket_facts.account_id
),

surveys as (
    select
        survey_responses.account_id,
        -- the latest response; of two at the same instant, the greatest response_id
        {{ first_by('survey_responses.score', [
            ['survey_responses.responded_at', 'desc'], ['survey_responses.response_id', 'desc']
        ]) }} filter (where survey_responses.survey_type = 'csat') as last_csat_score,
        max(survey_responses.responded_at) filter (where survey_responses.survey_type = 'csat')
            as last_csat_at,
        -- the latest response; of two at the same instant, the greatest response_id
        {{ first_by('survey_responses.score', [
            ['survey_responses.responded_at', 'desc'], ['survey_responses.response_id', 'desc']
        ]) }} filter (where survey_responses.survey_type = 'nps') as last_nps_score,
        max(survey_responses.responded_at) filter (where survey_responses.survey_type = 'nps')
            as last_nps_at,
        count_if(
            survey_responses.is_detractor
            and survey_responses.responded_at >= snapshot.window_start_at
            and coalesce(survey_responses.followed_up_at >= snapshot.as_of_at, true)
        ) as detractors_not_followed_up_90d
    from survey_responses
    cross join snapshot
    where survey_responses.account_id is not null
        and survey_responses.responded_at < snapshot.as_of_at
    group by survey_responses.account_id
),

joined as (
    select
        accounts.account_id,
        accounts.account_name,
        accounts.segment,
        accounts.industry,
        accounts.region,
        accounts.acquisition_channel,
        accounts.employee_count,
        accounts.is_in_crm,
        snapshot.as_of_date,
        coalesce(activity.mrr_usd, 0.0) as mrr_usd,
        coalesce(activity.mrr_usd, 0.0) > 0 as is_active,
        activity.plan_tier,
        activity.first_active_month,
        activity.last_active_month,
        case
            when activity.mrr_usd > 0
                then {{ months_between('activity.first_active_month', 'snapshot.last_complete_month') }}
        end as tenure_months,
        cohorts.cohort_month,
        cohorts.onboarding_experience,
        coalesce(tickets.tickets_90d, 0) as tickets_90d,
        coalesce(tickets.solved_tickets_90d, 0) as solved_tickets_90d,
        coalesce(tickets.fcr_tickets_90d, 0) as fcr_tickets_90d,
        coalesce(tickets.open_tickets, 0) as open_tickets,
        tickets.last_ticket_at,
        surveys.last_csat_score,
        surveys.last_csat_at,
        surveys.last_nps_score,
        surveys.last_nps_at,
        coalesce(surveys.detractors_not_followed_up_90d, 0) as detractors_not_followed_up_90d
    from accounts
    cross join snapshot
    left join activity on accounts.account_id = activity.account_id
    left join cohorts on accounts.account_id = cohorts.account_id
    left join tickets on accounts.account_id = tickets.account_id
    left join surveys on accounts.account_id = surveys.account_id
),

-- health score (active accounts): 100 minus points for what goes with churn in the CX data
deductions as (
    select
        *,
        {{ safe_divide('fcr_tickets_90d', 'solved_tickets_90d') }} as fcr_rate_90d,
        30.0 * coalesce(1 - {{ safe_divide('fcr_tickets_90d', 'solved_tickets_90d') }}, 0)
            as fcr_points,
        least(15.0, 5.0 * open_tickets) as open_ticket_points,
        case
            when last_nps_score <= 6 then 20.0
            when last_nps_score <= 8 then 5.0
            else 0.0
        end as nps_points,
        case
            when last_csat_score <= 2 then 15.0
            when last_csat_score = 3 then 5.0
            else 0.0
        end as csat_points,
        case when detractors_not_followed_up_90d > 0 then 15.0 else 0.0 end as open_loop_points
    from joined
),

scored as (
    select
        *,
        100.0 - fcr_points - open_ticket_points - nps_points - csat_points - open_loop_points
            as points_left
    from deductions
),

scored_active as (
    select
        *,
        case when is_active then greatest(0.0, points_left) end as health_score
    from scored
),

final as (
    select
        account_id,
        account_name,
        segment,
        industry,
        region,
        acquisition_channel,
        employee_count,
        is_in_crm,
        as_of_date,
        is_active,
        cast(mrr_usd as double) as mrr_usd,
        plan_tier,
        first_active_month,
        last_active_month,
        cast(tenure_months as bigint) as tenure_months,
        {{ tenure_band('tenure_months') }} as tenure_band,
        cohort_month,
        onboarding_experience,
        cast(tickets_90d as bigint) as tickets_90d,
        cast(solved_tickets_90d as bigint) as solved_tickets_90d,
        cast(fcr_tickets_90d as bigint) as fcr_tickets_90d,
        cast(fcr_rate_90d as double) as fcr_rate_90d,
        cast(open_tickets as bigint) as open_tickets,
        last_ticket_at,
        cast(last_csat_score as bigint) as last_csat_score,
        last_csat_at,
        cast(last_nps_score as bigint) as last_nps_score,
        last_nps_at,
        cast(detractors_not_followed_up_90d as bigint) as detractors_not_followed_up_90d,
        detractors_not_followed_up_90d > 0 as has_detractor_not_followed_up,
        cast(health_score as double) as health_score,
        case
            when health_score >= 75 then 'healthy'
            when health_score >= 50 then 'watch'
            when health_score >= 0 then 'at_risk'
        end as health_band
    from scored_active
)

select * from final
