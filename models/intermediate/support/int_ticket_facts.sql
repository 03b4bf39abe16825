-- One row per current ticket with its facts (docs/marts.md "Ticket facts"), counted over
-- all of its events, including events after the as-of date, and its business time
-- (macros/business_time.sql) where it does not depend on the as-of date: first reply,
-- resolution, and for a solved ticket the time awaiting the agent / the customer up to the
-- solve (int_ticket_sla adds what an unsolved ticket's figures are as of the as-of date).
--
-- Incremental: a refresh recounts only the tickets whose facts can have changed since the
-- last run (delete+insert by ticket_id): a new version of the ticket, a new or changed
-- event of it (or one moved away from it), or a new version of its requester contact. Each
-- input has its own watermark, the greatest _loaded_at of it already counted. When the
-- business calendars (seeds support_calendars, support_holidays, support_team_calendars)
-- or the business-time SQL differ from those the built rows were counted with
-- (_business_calendar_fingerprint), every ticket is recounted.
{{ config(unique_key='ticket_id') }}

{%- set tickets_since = incremental_watermark('_ticket_loaded_at') -%}
{%- set events_since = incremental_watermark('_events_loaded_at') -%}
{%- set contacts_since = incremental_watermark('_contact_loaded_at') %}
{%- set segments_sql = business_time_segments('calendars', 'holidays', 'business_bounds') -%}
{%- set status_wait_sql = status_wait_minutes('solved_tickets', 'status_changes', 'business_segments') -%}

with

tickets as (
    select * from {{ ref('stg_support__tickets') }}
),

ticket_events as (
    select * from {{ ref('stg_support__ticket_events') }}
),

contacts as (
    select * from {{ ref('stg_crm__contacts') }}
),

calendars as (
    select * from {{ ref('support_calendars') }}
),

holidays as (
    select * from {{ ref('support_holidays') }}
),

team_calendars as (
    select * from {{ ref('support_team_calendars') }}
),

-- what the business time of the rows is counted with: the calendar seeds and the SQL
business_calendar_rows as (
    select concat_ws('|', 'calendar', calendar, time_zone, weekday, start_time, end_time) as seed_row
    from calendars
    union all
    select concat_ws('|', 'holiday', calendar, holiday_date) from holidays
    union all
    select concat_ws('|', 'team', team, calendar) from team_calendars
),

business_calendar_fingerprint as (
    select
        md5(
            coalesce({{ sorted_string_agg('seed_row', "';'") }}, '')
            || '#{{ local_md5(segments_sql ~ status_wait_sql) }}'
        ) as fingerprint
    from business_calendar_rows
),

{% if is_incremental() -%}
    changed_tickets as (
        select tickets.ticket_id
        from tickets
        {% if tickets_since is not none -%}
            where tickets._loaded_at >= {{ tickets_since }}
        {%- endif %}
        union
        select unnest([ticket_events.ticket_id, ticket_events.previous_ticket_id]) as ticket_id
        from ticket_events
        {% if events_since is not none -%}
            where ticket_events._loaded_at >= {{ events_since }}
        {%- endif %}
        union
        select tickets.ticket_id
        from tickets
        inner join contacts on tickets.requester_contact_id = contacts.contact_id
        {% if contacts_since is not none -%}
            where contacts._loaded_at >= {{ contacts_since }}
        {%- endif %}
        union
        -- every ticket, when the business calendars changed since the rows were counted
        select tickets.ticket_id
        from tickets
        where exists (
            select 1
            from {{ this }} as counted
            where counted._business_calendar_fingerprint
                is distinct from (select business_calendar_fingerprint.fingerprint from business_calendar_fingerprint)
        )
    ),

    tickets_to_count as (
        select tickets.*
        from tickets
        where tickets.ticket_id in (select changed_tickets.ticket_id from changed_tickets)
    ),

    events_to_count as (
        select ticket_events.*
        from ticket_events
        where ticket_events.ticket_id in (select changed_tickets.ticket_id from changed_tickets)
    ),
{%- else -%}
    tickets_to_count as (
        select * from tickets
    ),

    events_to_count as (
        select * from ticket_events
    ),
{%- endif %}

event_facts as (
    select
        ticket_id,
        cast(count_if(event_type = 'comment' and author_type = 'agent' and is_public) as bigint)
            as agent_replies,
        cast(count_if(
            event_type = 'status_change'
            and status_from = 'solved'
            and status_to in ('new', 'open', 'pending')
        ) as bigint) as reopens,
        min(created_at) filter (
            where event_type = 'comment' and author_type = 'agent' and is_public
        ) as first_reply_at,
        min(created_at) as first_event_at,
        max(_loaded_at) as events_loaded_at
    from events_to_count
    group by ticket_id
),

ticket_facts as (
    select
        tickets.ticket_id,
        tickets.account_id,
        tickets.requester_contact_id,
        coalesce(contacts.role, 'unknown') as requester_role,
        coalesce(tickets.group_name, 'unknown') as team,
        tickets.channel,
        tickets.category,
        tickets.priority,
        tickets.status,
        tickets.created_at,
        tickets.solved_at,
        tickets.status in ('solved', 'closed') as is_solved,
        coalesce(team_calendars.calendar, 'default') as business_calendar,
        coalesce(event_facts.agent_replies, 0) as agent_replies,
        coalesce(event_facts.reopens, 0) as reopens,
        event_facts.first_reply_at,
        event_facts.first_event_at,
        tickets._loaded_at as ticket_loaded_at,
        event_facts.events_loaded_at,
        contacts._loaded_at as contact_loaded_at
    from tickets_to_count as tickets
    left join event_facts on tickets.ticket_id = event_facts.ticket_id
    left join contacts on tickets.requester_contact_id = contacts.contact_id
    -- a ticket without a team, or of a team not in the seed, works by calendar `default`
    left join team_calendars on tickets.group_name = team_calendars.team
),

status_changes as (
    select
        ticket_id,
        event_id,
        created_at,
        status_to
    from events_to_count
    where event_type = 'status_change'
),

-- the UTC days the business-time segments must cover: every instant looked up below
business_bounds as (
    select
        cast(min(instant) as date) as first_date,
        cast(max(instant) as date) as last_date
    from (
        select created_at as instant from ticket_facts
        union all
        select solved_at from ticket_facts
        union all
        select first_reply_at from ticket_facts
    ) as instants
),

business_segments as (
    {{ segments_sql }}
),

business_clock as (
    select
        ticket_facts.ticket_id,
        {{ business_minutes(
            'ticket_facts.created_at', working_us_at('at_created', 'ticket_facts.created_at'),
            'ticket_facts.first_reply_at', working_us_at('at_first_reply', 'ticket_facts.first_reply_at')
        ) }} as first_reply_business_minutes,
        {{ business_minutes(
            'ticket_facts.created_at', working_us_at('at_created', 'ticket_facts.created_at'),
            'ticket_facts.solved_at', working_us_at('at_solved', 'ticket_facts.solved_at')
        ) }} as resolution_business_minutes
    from ticket_facts
    left join business_segments as at_created
        on {{ business_segment_holds(
            'at_created', 'ticket_facts.business_calendar', 'ticket_facts.created_at'
        ) }}
    left join business_segments as at_first_reply
        on {{ business_segment_holds(
            'at_first_reply', 'ticket_facts.business_calendar', 'ticket_facts.first_reply_at'
        ) }}
    left join business_segments as at_solved
        on {{ business_segment_holds(
            'at_solved', 'ticket_facts.business_calendar', 'ticket_facts.solved_at'
        ) }}
),

-- solved tickets wait up to the solve; unsolved ones up to the as-of day (int_ticket_sla)
solved_tickets as (
    select
        ticket_id,
        business_calendar,
        created_at,
        solved_at as cutoff_at
    from ticket_facts
    where is_solved
),

status_wait as (
    {{ status_wait_sql }}
),

final as (
    select
        ticket_facts.ticket_id,
        ticket_facts.account_id,
        ticket_facts.requester_contact_id,
        ticket_facts.requester_role,
        ticket_facts.team,
        ticket_facts.channel,
        ticket_facts.category,
        ticket_facts.priority,
        ticket_facts.status,
        ticket_facts.created_at,
        ticket_facts.solved_at,
        {{ month_of('ticket_facts.solved_at') }} as solved_month,
        ticket_facts.is_solved,
        ticket_facts.agent_replies,
        ticket_facts.reopens,
        -- first-contact resolved: solved with exactly one public agent reply and no reopen
        ticket_facts.is_solved and ticket_facts.agent_replies = 1 and ticket_facts.reopens = 0
            as is_fcr,
        ticket_facts.first_reply_at,
        ticket_facts.first_event_at,
        {{ microseconds_between('ticket_facts.created_at', 'ticket_facts.first_reply_at') }} / 60e6
            as first_reply_minutes,
        {{ microseconds_between('ticket_facts.created_at', 'ticket_facts.solved_at') }} / 3600e6
            as resolution_hours,
        -- business time (macros/business_time.sql), in the calendar of the ticket's team
        ticket_facts.business_calendar,
        case
            when ticket_facts.agent_replies = 0 then 'zero_touch'
            when ticket_facts.agent_replies = 1 then 'one_touch'
            when ticket_facts.agent_replies = 2 then 'two_touch'
            else 'multi_touch'
        end as reply_tier,
        business_clock.first_reply_business_minutes,
        business_clock.resolution_business_minutes,
        status_wait.awaiting_agent_business_minutes as awaiting_agent_business_minutes_to_solve,
        status_wait.awaiting_customer_business_minutes as awaiting_customer_business_minutes_to_solve,
        -- what was counted: the watermarks of the next incremental run
        ticket_facts.ticket_loaded_at as _ticket_loaded_at,
        ticket_facts.events_loaded_at as _events_loaded_at,
        ticket_facts.contact_loaded_at as _contact_loaded_at,
        business_calendar_fingerprint.fingerprint as _business_calendar_fingerprint
    from ticket_facts
    left join business_clock on ticket_facts.ticket_id = business_clock.ticket_id
    left join status_wait on ticket_facts.ticket_id = status_wait.ticket_id
    cross join business_calendar_fingerprint
)

select * from final
