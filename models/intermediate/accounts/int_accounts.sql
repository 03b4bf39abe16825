with

crm_accounts as (
    select * from {{ ref('stg_crm__accounts') }}
),

subscriptions as (
    select * from {{ ref('stg_billing__subscriptions') }}
),

invoices as (
    select * from {{ ref('stg_billing__invoices') }}
),

tickets as (
    select * from {{ ref('stg_support__tickets') }}
),

survey_responses as (
    select * from {{ ref('stg_support__survey_responses') }}
),

-- every account id any table refers to, so facts about an account missing from the CRM
-- still land in a dimension (as `unknown`) instead of disappearing
referenced_account_ids as (
    select account_id from crm_accounts
    union
    select account_id from subscriptions
    union
    select account_id from invoices
    union
    select account_id from tickets
    union
    select account_id from survey_responses
),

final as (
    select
        referenced_account_ids.account_id,
        crm_accounts.account_name,
        crm_accounts.employee_count,
        case
            when crm_accounts.employee_count is null then 'unknown'
            when crm_accounts.employee_count < 100 then 'SMB'
            when crm_accounts.employee_count < 1000 then 'Mid-Market'
            else 'Enterprise'
        end as segment,
        coalesce(crm_accounts.industry, 'unknown') as industry,
        coalesce(crm_accounts.region, 'unknown') as region,
        coalesce(crm_accounts.acquisition_channel, 'unknown') as acquisition_channel,
        crm_accounts.created_at,
        crm_accounts.account_id is not null as is_in_crm
    from referenced_account_ids
    left join crm_accounts on referenced_account_ids.account_id = crm_accounts.account_id
    where referenced_account_ids.account_id is not null
)

select * from final
