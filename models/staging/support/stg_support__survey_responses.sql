{{ config(unique_key='response_id') }}

with

source as (
    select
        response_id,
        survey_type,
        account_id,
        contact_id,
        ticket_id,
        score,
        responded_at,
        followed_up_at,
        _loaded_at
    from {{ source('support', 'survey_responses') }}
    {{ new_batches_filter() }}
),

current_rows as (
    {{ current_rows('source', config.get('unique_key'), has_updated_at=false) }}
),

final as (
    select
        cast(response_id as string) as response_id,
        cast(survey_type as string) as survey_type,
        cast(account_id as string) as account_id,
        cast(contact_id as string) as contact_id,
        cast(ticket_id as string) as ticket_id,
        cast(score as bigint) as score,
        cast(responded_at as timestamp) as responded_at,
        cast(followed_up_at as timestamp) as followed_up_at,
        cast(_loaded_at as timestamp) as _loaded_at
    from current_rows
)

select * from final
