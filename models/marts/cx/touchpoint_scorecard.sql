with

ticket_facts as (
    select * from {{ ref('int_ticket_facts') }}
),

ticket_sla as (
    select * from {{ ref('int_ticket_sla') }}
),

survey_responses as (
    select * from {{ ref('int_survey_responses') }}
),

churn_outlook as (
    select * from {{ ref('int_account_churn_outlook') }}
),

touchpoint_owners as (
    select * from {{ ref('touchpoint_owners') }}
),

reporting_period as (
    select * from {{ ref('int_validated_reporting_period') }}
),

ticket_csat as (
    select
        ticket_id,
        count(*) as csat_responses,
        sum(score) as csat_score_sum
    from survey_responses
    where survey_type = 'csat'
    group by ticket_id
),

-- tickets by the month they were created in: the month the customer touched the touchpoint
touches as (
    select
        {{ month_of('ticket_facts.created_at') }} as month,
        ticket_facts.category,
        ticket_facts.channel,
        ticket_facts.ticket_id,
        ticket_facts.account_id,
        ticket_facts.is_solved,
        ticket_facts.is_fcr,
        ticket_facts.reopens,
        ticket_facts.first_reply_minutes,
        ticket_facts.resolution_hours,
        ticket_sla.first_reply_sla,
        ticket_sla.resolution_sla,
        coalesce(ticket_csat.csat_responses, 0) as csat_responses,
        coalesce(ticket_csat.csat_score_sum, 0) as csat_score_sum
    from ticket_facts
    cross join reporting_period
    left join ticket_csat on ticket_facts.ticket_id = ticket_csat.ticket_id
    left join ticket_sla on ticket_facts.ticket_id = ticket_sla.ticket_id
    where {{ month_of('ticket_facts.created_at') }} <= reporting_period.last_complete_month
),

ticket_metrics as (
    select
        month,
        category,
        channel,
        count(*) as tickets,
        count_if(is_solved) as solved_tickets,
        count_if(is_fcr) as fcr_tickets,
        count_if(is_solved and reopens > 0) as reopened_tickets,
        {{ median_of('first_reply_minutes') }} as median_first_reply_minutes,
        {{ median_of('resolution_hours') }} filter (where is_solved) as median_resolution_hours,
        sum(csat_responses) as csat_responses,
        sum(csat_score_sum) as csat_score_sum,
        count_if(first_reply_sla = 'met') as first_reply_sla_met,
        count_if(first_reply_sla = 'breached') as first_reply_sla_breached,
        count_if(resolution_sla = 'met') as resolution_sla_met,
        count_if(resolution_sla = 'breached') as resolution_sla_breached
    from touches
    group by month, category, channel
),

-- accounts that touched it, active in the month, with their 90-day churn outlook
touched_accounts as (
    select distinct
        touches.month,
        touches.category,
        touches.channel,
        touches.account_id,
        churn_outlook.is_horizon_complete,
        churn_outlook.churned_within_horizon
    from touches
    inner join churn_outlook
        on touches.account_id = churn_outlook.account_id
            and touches.month = churn_outlook.month
),

account_metrics as (
    select
        month,
        category,
        channel,
        count(*) as active_accounts,
        count_if(is_horizon_complete) as observed_accounts,
        count_if(is_horizon_complete and churned_within_horizon) as churned_accounts_90d
    from touched_accounts
    group by month, category, channel
),

joined as (
    select
        ticket_metrics.*,
        coalesce(touchpoint_owners.owning_team, 'unowned') as owning_team,
        coalesce(account_metrics.active_accounts, 0) as active_accounts,
        coalesce(account_metrics.observed_accounts, 0) as observed_accounts,
        coalesce(account_metrics.churned_accounts_90d, 0) as churned_accounts_90d,
        ticket_metrics.tickets - ticket_metrics.fcr_tickets as friction_tickets
    from ticket_metrics
    left join touchpoint_owners
        on ticket_metrics.category = touchpoint_owners.category
            and ticket_metrics.channel = touchpoint_owners.channel
    left join account_metrics
        on ticket_metrics.month = account_metrics.month
            and ticket_metrics.category = account_metrics.category
            and ticket_metrics.channel = account_metrics.channel
),

final as (
    select
        month,
        category,
        channel,
        category || ' / ' || channel as touchpoint,
        cast(owning_team as string) as owning_team,
        cast(tickets as bigint) as tickets,
        cast(solved_tickets as bigint) as solved_tickets,
        cast(fcr_tickets as bigint) as fcr_tickets,
        {{ safe_divide('fcr_tickets', 'solved_tickets') }} as fcr_rate,
        cast(reopened_tickets as bigint) as reopened_tickets,
        {{ safe_divide('reopened_tickets', 'solved_tickets') }} as reopen_rate,
        cast(median_first_reply_minutes as double) as median_first_reply_minutes,
        cast(median_resolution_hours as double) as median_resolution_hours,
        cast(csat_responses as bigint) as csat_responses,
        {{ safe_divide('csat_score_sum', 'csat_responses') }} as csat_average,
        cast(active_accounts as bigint) as active_accounts,
        cast(observed_accounts as bigint) as observed_accounts,
        cast(churned_accounts_90d as bigint) as churned_accounts_90d,
        {{ safe_divide('churned_accounts_90d', 'observed_accounts') }} as churn_rate_90d,
        cast(friction_tickets as bigint) as friction_tickets,
        {{ safe_divide('friction_tickets', 'tickets') }} as friction_rate,
        cast(row_number() over (
            partition by month
            order by friction_tickets desc, tickets desc, category asc, channel asc
        ) as bigint) as friction_rank,
        -- SLA in business hours (int_ticket_sla; as in marts.support_sla)
        cast(first_reply_sla_met as bigint) as first_reply_sla_met,
        cast(first_reply_sla_breached as bigint) as first_reply_sla_breached,
        {{ safe_divide('first_reply_sla_met', 'first_reply_sla_met + first_reply_sla_breached') }}
            as first_reply_sla_attainment,
        cast(resolution_sla_met as bigint) as resolution_sla_met,
        cast(resolution_sla_breached as bigint) as resolution_sla_breached,
        {{ safe_divide('resolution_sla_met', 'resolution_sla_met + resolution_sla_breached') }}
            as resolution_sla_attainment
    from joined
)

select * from final
