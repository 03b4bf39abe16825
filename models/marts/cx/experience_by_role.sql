with

survey_responses as (
    select * from {{ ref('int_survey_responses') }}
),

churn_outlook as (
    select * from {{ ref('int_account_churn_outlook') }}
),

reporting_period as (
    select * from {{ ref('int_validated_reporting_period') }}
),

-- responses of complete quarters only
responses as (
    select
        survey_responses.*,
        -- renewal is known once the 3 months after the quarter are complete
        {{ add_months('survey_responses.quarter', 2 + churn_horizon_months() | int) }}
        <= reporting_period.last_complete_month as is_renewal_observable
    from survey_responses
    cross join reporting_period
    where {{ add_months('survey_responses.quarter', 2) }} <= reporting_period.last_complete_month
),

role_feedback as (
    select
        quarter,
        contact_role,
        count(*) as responses,
        count_if(survey_type = 'csat') as csat_responses,
        avg(score) filter (where survey_type = 'csat') as csat_average,
        count_if(survey_type = 'nps') as nps_responses,
        {{ nps_of('score', "survey_type = 'nps'") }} as nps,
        count_if(is_detractor) as detractor_responses
    from responses
    group by quarter, contact_role
),

-- one row per (quarter, role, account): a detractor account when any of its contacts in the
-- role was a detractor in the quarter; the churn outlook starts from the month of its first
-- detractor response (detractor accounts) or of its first response (the others)
role_accounts as (
    select
        quarter,
        contact_role,
        account_id,
        bool_or(is_detractor) as is_detractor_account,
        coalesce(min(month) filter (where is_detractor), min(month)) as outlook_month,
        bool_and(is_renewal_observable) as is_renewal_observable
    from responses
    where account_id is not null
    group by quarter, contact_role, account_id
),

role_renewal as (
    select
        role_accounts.quarter,
        role_accounts.contact_role,
        count(*) as responding_accounts,
        count_if(role_accounts.is_detractor_account) as detractor_accounts,
        count_if(role_accounts.is_detractor_account and churn_outlook.account_id is not null)
            as detractor_accounts_active,
        count_if(role_accounts.is_detractor_account and not churn_outlook.churned_within_horizon)
            as detractor_accounts_renewed,
        count_if(not role_accounts.is_detractor_account and churn_outlook.account_id is not null)
            as other_accounts_active,
        count_if(not role_accounts.is_detractor_account and not churn_outlook.churned_within_horizon)
            as other_accounts_renewed,
        bool_and(role_accounts.is_renewal_observable) as is_renewal_observable
    from role_accounts
    left join churn_outlook
        on role_accounts.account_id = churn_outlook.account_id
            and role_accounts.outlook_month = churn_outlook.month
    group by role_accounts.quarter, role_accounts.contact_role
),

joined as (
    select
        role_feedback.*,
        coalesce(role_renewal.responding_accounts, 0) as responding_accounts,
        coalesce(role_renewal.detractor_accounts, 0) as detractor_accounts,
        case when role_renewal.is_renewal_observable then role_renewal.detractor_accounts_active end
            as detractor_accounts_active,
        case when role_renewal.is_renewal_observable then role_renewal.detractor_accounts_renewed end
            as detractor_accounts_renewed,
        case when role_renewal.is_renewal_observable then role_renewal.other_accounts_active end
            as other_accounts_active,
        case when role_renewal.is_renewal_observable then role_renewal.other_accounts_renewed end
            as other_accounts_renewed
    from role_feedback
    left join role_renewal
        on role_feedback.quarter = role_renewal.quarter
            and role_feedback.contact_role = role_renewal.contact_role
),

final as (
    select
        quarter,
        contact_role,
        cast(responses as bigint) as responses,
        cast(csat_responses as bigint) as csat_responses,
        cast(csat_average as double) as csat_average,
        cast(nps_responses as bigint) as nps_responses,
        cast(nps as double) as nps,
        cast(detractor_responses as bigint) as detractor_responses,
        cast(responding_accounts as bigint) as responding_accounts,
        cast(detractor_accounts as bigint) as detractor_accounts,
        cast(detractor_accounts_active as bigint) as detractor_accounts_active,
        cast(detractor_accounts_renewed as bigint) as detractor_accounts_renewed,
        {{ safe_divide('detractor_accounts_renewed', 'detractor_accounts_active') }}
            as detractor_renewal_rate,
        cast(other_accounts_active as bigint) as other_accounts_active,
        cast(other_accounts_renewed as bigint) as other_accounts_renewed,
        {{ safe_divide('other_accounts_renewed', 'other_accounts_active') }} as other_renewal_rate,
        {{ safe_divide('other_accounts_renewed', 'other_accounts_active') }}
        - {{ safe_divide('detractor_accounts_renewed', 'detractor_accounts_active') }}
            as renewal_rate_gap
    from joined
)

select * from final
