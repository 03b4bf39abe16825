-- One row per current ticket with its facts (docs/marts.md "Ticket facts"), counted over
-- all of its events, including events after the as-of date.
--
-- Incremental: a refresh recounts only the tickets whose facts can have changed since the
-- last run (delete+insert by ticket_id): a new version of the ticket, a new or changed
-- event of it (or one moved away from it), or a new version of its requester contact. Each
-- input has its own watermark, the greatest _loaded_at of it already counted.
{{ config(unique_key='ticket_id') }}

{%- set tickets_since = incremental_watermark('_ticket_loaded_at') -%}
{%- set events_since = incremental_watermark('_events_loaded_at') -%}
{%- set contacts_since = incremental_watermark('_contact_loaded_at') %}

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
),

final as (
    select
        ticket_id,
        account_id,
        requester_contact_id,
        requester_role,
        team,
        channel,
        category,
        priority,
        status,
        created_at,
        solved_at,
        {{ month_of('solved_at') }} as solved_month,
        is_solved,
        agent_replies,
        reopens,
        -- first-contact resolved: solved with exactly one public agent reply and no reopen
        is_solved and agent_replies = 1 and reopens = 0 as is_fcr,
        first_reply_at,
        first_event_at,
        date_diff('microsecond', created_at, first_reply_at) / 60e6 as first_reply_minutes,
        date_diff('microsecond', created_at, solved_at) / 3600e6 as resolution_hours,
        -- what was counted: the watermarks of the next incremental run
        ticket_loaded_at as _ticket_loaded_at,
        events_loaded_at as _events_loaded_at,
        contact_loaded_at as _contact_loaded_at
    from ticket_facts
)

select * from final
