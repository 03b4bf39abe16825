{{ config(unique_key=['rate_month', 'currency']) }}

with

source as (
    select
        rate_month,
        currency,
        usd_per_unit,
        _loaded_at
    from {{ source('billing', 'fx_rates') }}
    {{ new_batches_filter() }}
),

current_rows as (
    {{ current_rows('source', config.get('unique_key'), has_updated_at=false) }}
),

final as (
    select
        cast(rate_month as date) as rate_month,
        cast(currency as string) as currency,
        cast(usd_per_unit as double) as usd_per_unit,
        cast(_loaded_at as timestamp) as _loaded_at
    from current_rows
)

select * from final
