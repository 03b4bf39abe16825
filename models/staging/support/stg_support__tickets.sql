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
        cast(ticket_id as varchar) as ticket_id,
        cast(account_id as varchar) as account_id,
        cast(requester_contact_id as varchar) as requester_contact_id,
        cast(group_name as varchar) as group_name,
        cast(channel as varchar) as channel,
        cast(category as varchar) as category,
        cast(priority as varchar) as priority,
        cast(status as varchar) as status,
        cast(created_at as timestamp) as created_at,
        cast(solved_at as timestamp) as solved_at,
        cast(updated_at as timestamp) as updated_at,
        cast(_loaded_at as timestamp) as _loaded_at
    from current_rows
)

select * from final
