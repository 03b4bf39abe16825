{{ config(unique_key='subscription_id') }}

with

source as (
    select
        subscription_id,
        account_id,
        plan_tier,
        billing_interval,
        amount_cents,
        quantity,
        currency,
        status,
        started_at,
        canceled_at,
        ended_at,
        updated_at,
        _loaded_at
    from {{ source('billing', 'subscriptions') }}
    {{ new_batches_filter() }}
),

current_rows as (
    {{ current_rows('source', config.get('unique_key')) }}
),

final as (
    select
        cast(subscription_id as string) as subscription_id,
        cast(account_id as string) as account_id,
        cast(plan_tier as string) as plan_tier,
        cast(billing_interval as string) as billing_interval,
        cast(amount_cents as bigint) as amount_cents,
        cast(quantity as bigint) as quantity,
        cast(currency as string) as currency,
        cast(status as string) as status,
        cast(started_at as timestamp) as started_at,
        cast(canceled_at as timestamp) as canceled_at,
        cast(ended_at as timestamp) as ended_at,
        cast(updated_at as timestamp) as updated_at,
        cast(_loaded_at as timestamp) as _loaded_at
    from current_rows
)

select * from final
