-- Every ticket event happens at or after its ticket's created_at (raw-sources.md).
-- Returns the offending events.
with

events as (
    select * from {{ ref('stg_support__ticket_events') }}
),

tickets as (
    select * from {{ ref('stg_support__tickets') }}
),

final as (
    select
        events.event_id,
        events.ticket_id,
        events.created_at as event_created_at,
        tickets.created_at as ticket_created_at
    from events
    inner join tickets on events.ticket_id = tickets.ticket_id
    where events.created_at < tickets.created_at
)

select * from final
