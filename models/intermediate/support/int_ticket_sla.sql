-- One row per current ticket: its business time and SLA as of the as-of date. The figures
-- of a solved ticket come from int_ticket_facts (incremental; they do not depend on the
-- as-of date). An unsolved ticket's clock runs to the end of the as-of day, so its time
-- awaiting the agent / the customer and its SLA status change whenever the as-of date
-- moves, without any new data: this model is a table, rebuilt on every run, and recounts
-- the status intervals of the unsolved tickets only (macros/business_time.sql). SLA
-- targets come from the seed sla_policies, by priority.
with

ticket_facts as (
    select * from {{ ref('int_ticket_facts') }}
),

ticket_events as (
    select * from {{ ref('stg_support__ticket_events') }}
),

calendars as (
    select * from {{ ref('support_calendars') }}
),

holidays as (
    select * from {{ ref('support_holidays') }}
),

sla_policies as (
    select * from {{ ref('sla_policies') }}
),

reporting_period as (
    select * from {{ ref('int_reporting_period') }}
),

-- the end of the as-of day: the next midnight after the as-of date, UTC
as_of_end as (
    select cast(as_of_date + 1 as timestamp) as as_of_end_at
    from reporting_period
),

unsolved_tickets as (
    select
        ticket_facts.ticket_id,
        ticket_facts.business_calendar,
        ticket_facts.created_at,
        as_of_end.as_of_end_at as cutoff_at
    from ticket_facts
    cross join as_of_end
    where not ticket_facts.is_solved
),

status_changes as (
    select
        ticket_id,
        event_id,
        created_at,
        status_to
    from ticket_events
    where event_type = 'status_change'
        and ticket_id in (select unsolved_tickets.ticket_id from unsolved_tickets)
),

-- the UTC days the business-time segments must cover: every instant looked up below
business_bounds as (
    select
        cast(min(instant) as date) as first_date,
        cast(max(instant) as date) as last_date
    from (
        select created_at as instant from unsolved_tickets
        union all
        select cutoff_at from unsolved_tickets
    ) as instants
),

business_segments as (
    {{ business_time_segments('calendars', 'holidays', 'business_bounds') }}
),

unsolved_clock as (
    select
        unsolved_tickets.ticket_id,
        {{ business_minutes(
            'unsolved_tickets.created_at', working_us_at('at_created', 'unsolved_tickets.created_at'),
            'unsolved_tickets.cutoff_at', working_us_at('at_cutoff', 'unsolved_tickets.cutoff_at')
        ) }} as elapsed_business_minutes
    from unsolved_tickets
    left join business_segments as at_created
        on {{ business_segment_holds(
            'at_created', 'unsolved_tickets.business_calendar', 'unsolved_tickets.created_at'
        ) }}
    left join business_segments as at_cutoff
        on {{ business_segment_holds(
            'at_cutoff', 'unsolved_tickets.business_calendar', 'unsolved_tickets.cutoff_at'
        ) }}
),

unsolved_wait as (
    {{ status_wait_minutes('unsolved_tickets', 'status_changes', 'business_segments') }}
),

ticket_clock as (
    select
        ticket_facts.ticket_id,
        ticket_facts.business_calendar,
        ticket_facts.is_solved,
        case
            when ticket_facts.is_solved then ticket_facts.solved_at
            else as_of_end.as_of_end_at
        end as measured_until,
        ticket_facts.reply_tier,
        ticket_facts.first_reply_business_minutes,
        ticket_facts.resolution_business_minutes,
        case
            when ticket_facts.is_solved then ticket_facts.resolution_business_minutes
            else unsolved_clock.elapsed_business_minutes
        end as elapsed_business_minutes,
        case
            when ticket_facts.is_solved then ticket_facts.awaiting_agent_business_minutes_to_solve
            else unsolved_wait.awaiting_agent_business_minutes
        end as awaiting_agent_business_minutes,
        case
            when ticket_facts.is_solved then ticket_facts.awaiting_customer_business_minutes_to_solve
            else unsolved_wait.awaiting_customer_business_minutes
        end as awaiting_customer_business_minutes,
        sla_policies.first_reply_target_minutes,
        sla_policies.resolution_target_minutes
    from ticket_facts
    cross join as_of_end
    left join unsolved_clock on ticket_facts.ticket_id = unsolved_clock.ticket_id
    left join unsolved_wait on ticket_facts.ticket_id = unsolved_wait.ticket_id
    left join sla_policies on ticket_facts.priority = sla_policies.priority
),

-- the first-reply clock runs until the first public agent reply; without one, until the
-- solve; for an unsolved ticket without one, until the end of the as-of day
sla_clocks as (
    select
        *,
        coalesce(first_reply_business_minutes, elapsed_business_minutes) as first_reply_sla_minutes,
        first_reply_business_minutes is not null or is_solved as is_first_reply_clock_stopped
    from ticket_clock
),

sla_statuses as (
    select
        ticket_id,
        business_calendar,
        is_solved,
        measured_until,
        reply_tier,
        first_reply_business_minutes,
        resolution_business_minutes,
        elapsed_business_minutes,
        awaiting_agent_business_minutes,
        awaiting_customer_business_minutes,
        first_reply_target_minutes,
        resolution_target_minutes,
        first_reply_sla_minutes,
        case
            when first_reply_target_minutes is null then 'no_target'
            when is_first_reply_clock_stopped and first_reply_sla_minutes <= first_reply_target_minutes
                then 'met'
            when is_first_reply_clock_stopped then 'breached'
            when first_reply_sla_minutes > first_reply_target_minutes then 'breached'
            else 'pending'
        end as first_reply_sla,
        case
            when resolution_target_minutes is null then 'no_target'
            when is_solved and elapsed_business_minutes <= resolution_target_minutes then 'met'
            when is_solved then 'breached'
            when elapsed_business_minutes > resolution_target_minutes then 'breached'
            else 'pending'
        end as resolution_sla
    from sla_clocks
),

final as (
    select
        *,
        first_reply_sla = 'breached' or resolution_sla = 'breached' as is_sla_breached
    from sla_statuses
)

select * from final
