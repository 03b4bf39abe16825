{{
    config(
        materialized='incremental',
        unique_key='event_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail'
    )
}}

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

final as (
    select
        cast(event_id as varchar) as event_id,
        cast(ticket_id as varchar) as ticket_id,
        cast(event_type as varchar) as event_type,
        cast(author_type as varchar) as author_type,
        cast(is_public as boolean) as is_public,
        cast(status_from as varchar) as status_from,
        cast(status_to as varchar) as status_to,
        cast(created_at as timestamp) as created_at,
        cast(_loaded_at as timestamp) as _loaded_at
    from current_rows
)

select * from final
