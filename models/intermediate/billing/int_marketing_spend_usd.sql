-- One row per (spend_month, channel) of acquisition spend through the last complete month,
-- in USD: amount_cents / 100 converted at the spend month's rate (docs/marts.md "USD
-- conversion"). A missing rate leaves amount_usd null and fails the fx_rate_available test.
with

marketing_spend as (
    select * from {{ ref('stg_crm__marketing_spend') }}
),

fx_rates as (
    select * from {{ ref('stg_billing__fx_rates') }}
),

reporting_period as (
    select * from {{ ref('int_reporting_period') }}
),

final as (
    select
        marketing_spend.spend_month,
        marketing_spend.channel,
        marketing_spend.currency,
        marketing_spend.amount_cents,
        {{ usd_per_unit('marketing_spend.currency') }} as usd_per_unit,
        marketing_spend.amount_cents / 100.0 * {{ usd_per_unit('marketing_spend.currency') }}
            as amount_usd
    from marketing_spend
    cross join reporting_period
    {{ fx_rate_join('fx_rates', 'marketing_spend.currency', 'marketing_spend.spend_month') }}
    where marketing_spend.spend_month <= reporting_period.last_complete_month
)

select * from final
