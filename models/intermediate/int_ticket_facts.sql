-- One row per current ticket with its facts (marts.md "Ticket facts"), counted over all of
-- its events, including events after the as-of date.
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
        min(created_at) as first_event_at
    from ticket_events
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
        event_facts.first_event_at
    from tickets
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
        date_diff('microsecond', created_at, solved_at) / 3600e6 as resolution_hours
    from ticket_facts
)

select * from final
