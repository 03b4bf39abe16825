{{ config(unique_key='event_id') }}

with

source as (
    select
        event_id,
        ticket_id,
        event_type,
        author_type,
        is_public,
        status_from,
        status_to,
        created_at,
        _loaded_at
    from {{ source('support', 'ticket_events') }}
    {{ new_batches_filter() }}
),

current_rows as (
    {{ current_rows('source', config.get('unique_key'), has_updated_at=false) }}
),

{% if is_incremental() -%}
    staged as (
        -- the staged rows of these events (one per key even if a failed run left a tie)
        select
            event_id,
            min(ticket_id) as ticket_id,
            min(previous_ticket_id) as previous_ticket_id
        from {{ this }}
        where event_id in (select current_rows.event_id from current_rows)
        group by event_id
    ),
{%- endif %}

-- previous_ticket_id: the ticket an event belonged to before a later batch moved it to
-- another one, so int_ticket_facts recounts the old ticket too (null on a full build, where
-- every ticket is counted anyway)
with_previous as (
    {% if is_incremental() -%}
        select
            current_rows.*,
            case
                when staged.ticket_id <> current_rows.ticket_id then staged.ticket_id
                else staged.previous_ticket_id
            end as previous_ticket_id
        from current_rows
        left join staged on current_rows.event_id = staged.event_id
    {%- else -%}
        select
            *,
            null as previous_ticket_id
        from current_rows
    {%- endif %}
),

final as (
    select
        cast(event_id as string) as event_id,
        cast(ticket_id as string) as ticket_id,
        cast(event_type as string) as event_type,
        cast(author_type as string) as author_type,
        cast(is_public as boolean) as is_public,
        cast(status_from as string) as status_from,
        cast(status_to as string) as status_to,
        cast(created_at as timestamp) as created_at,
        cast(previous_ticket_id as string) as previous_ticket_id,
        cast(_loaded_at as timestamp) as _loaded_at
    from with_previous
)

select * from final
