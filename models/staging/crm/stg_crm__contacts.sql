{{ config(unique_key='contact_id') }}

with

source as (
    select
        contact_id,
        account_id,
        role,
        created_at,
        updated_at,
        _loaded_at
    from {{ source('crm', 'contacts') }}
    {{ new_batches_filter() }}
),

current_rows as (
    {{ current_rows('source', config.get('unique_key')) }}
),

final as (
    select
        cast(contact_id as string) as contact_id,
        cast(account_id as string) as account_id,
        cast(role as string) as role,
        cast(created_at as timestamp) as created_at,
        cast(updated_at as timestamp) as updated_at,
        cast(_loaded_at as timestamp) as _loaded_at
    from current_rows
)

select * from final
