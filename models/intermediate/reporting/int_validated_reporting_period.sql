-- One row: the reporting period, released only after every intermediate model has been
-- built and passed its tests. Every mart depends on this model, so a data-quality failure
-- anywhere (a missing FX rate for MRR, a broken key) builds no mart at all, not just the
-- marts downstream of the failing model. Add new intermediate models to this list.
-- depends_on: {{ ref('int_accounts') }}
-- depends_on: {{ ref('int_subscription_months') }}
-- depends_on: {{ ref('int_account_months') }}
-- depends_on: {{ ref('int_account_mrr_movements') }}
-- depends_on: {{ ref('int_account_revenue_months') }}
-- depends_on: {{ ref('int_ticket_facts') }}
-- depends_on: {{ ref('int_ticket_sla') }}
-- depends_on: {{ ref('int_account_cohorts') }}
-- depends_on: {{ ref('int_account_support_experience') }}
-- depends_on: {{ ref('int_account_churn_outlook') }}
-- depends_on: {{ ref('int_marketing_spend_usd') }}
-- depends_on: {{ ref('int_survey_responses') }}
with

reporting_period as (
    select * from {{ ref('int_reporting_period') }}
),

final as (
    select
        as_of_date,
        as_of_month,
        last_complete_month,
        max_loaded_at
    from reporting_period
)

select * from final
