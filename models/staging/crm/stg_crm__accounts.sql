{{ config(unique_key='account_id') }}

with

source as (
    select
        account_id,
        account_name,
        industry,
        employee_count,
        region,
        acquisition_channel,
        created_at,
        updated_at,
        _loaded_at
    from {{ source('crm', 'accounts') }}
    {{ new_batches_filter() }}
),

current_rows as (
    {{ current_rows('source', config.get('unique_key')) }}
),

final as (
    select
        cast(account_id as string) as account_id,
        cast(account_name as string) as account_name,
        cast(industry as string) as industry,
        cast(employee_count as bigint) as employee_count,
        cast(region as string) as region,
        cast(acquisition_channel as string) as acquisition_channel,
        cast(created_at as timestamp) as created_at,
        cast(updated_at as timestamp) as updated_at,
        cast(_loaded_at as timestamp) as _loaded_at
    from current_rows
)

select * from final
