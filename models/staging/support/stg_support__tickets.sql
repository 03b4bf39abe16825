{{ config(unique_key='ticket_id') }}

with

source as (
    select
        ticket_id,
        account_id,
        requester_contact_id,
        group_name,
        channel,
        category,
        priority,
        status,
        created_at,
        solved_at,
        updated_at,
        _loaded_at
    from {{ source('support', 'tickets') }}
    {{ new_batches_filter() }}
),

current_rows as (
    {{ current_rows('source', config.get('unique_key')) }}
),

final as (
    select
        cast(ticket_id as string) as ticket_id,
        cast(account_id as string) as account_id,
        cast(requester_contact_id as string) as requester_contact_id,
        cast(group_name as string) as group_name,
        cast(channel as string) as channel,
        cast(category as string) as category,
        cast(priority as string) as priority,
        cast(status as string) as status,
        cast(created_at as timestamp) as created_at,
        cast(solved_at as timestamp) as solved_at,
        cast(updated_at as timestamp) as updated_at,
        cast(_loaded_at as timestamp) as _loaded_at
    from current_rows
)

select * from final
