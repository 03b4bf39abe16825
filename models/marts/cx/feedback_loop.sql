{%- set dimensions = ['team', 'segment'] -%}

with

survey_responses as (
    select * from {{ ref('int_survey_responses') }}
),

accounts as (
    select * from {{ ref('int_accounts') }}
),

churn_outlook as (
    select * from {{ ref('int_account_churn_outlook') }}
),

reporting_period as (
    select * from {{ ref('int_validated_reporting_period') }}
),

responses as (
    select
        survey_responses.month,
        survey_responses.survey_type,
        survey_responses.team,
        coalesce(accounts.segment, 'unknown') as segment,
        survey_responses.account_id,
        survey_responses.is_detractor,
        survey_responses.is_followed_up_in_time,
        survey_responses.hours_to_follow_up,
        -- the account was active in the response month and its 3-month horizon is complete
        coalesce(churn_outlook.is_horizon_complete, false) as is_churn_observed,
        coalesce(churn_outlook.churned_within_horizon, false) as churned_within_horizon
    from survey_responses
    cross join reporting_period
    left join accounts on survey_responses.account_id = accounts.account_id
    left join churn_outlook
        on survey_responses.account_id = churn_outlook.account_id
            and survey_responses.month = churn_outlook.month
    where survey_responses.month <= reporting_period.last_complete_month
),

feedback as (
    select
        month,
        survey_type,
        {{ dimension_columns(dimensions) }},
        count(*) as responses,
        count_if(is_detractor) as detractors,
        count_if(is_detractor and is_followed_up_in_time) as detractors_followed_up,
        {{ median_of('hours_to_follow_up') }} filter (where is_detractor) as median_hours_to_follow_up,
        count(distinct account_id) filter (
            where is_detractor and is_followed_up_in_time and is_churn_observed
        ) as followed_up_accounts,
        count(distinct account_id) filter (
            where is_detractor and is_followed_up_in_time and is_churn_observed
            and churned_within_horizon
        ) as followed_up_accounts_churned,
        count(distinct account_id) filter (
            where is_detractor and not is_followed_up_in_time and is_churn_observed
        ) as not_followed_up_accounts,
        count(distinct account_id) filter (
            where is_detractor and not is_followed_up_in_time and is_churn_observed
            and churned_within_horizon
        ) as not_followed_up_accounts_churned
    from responses
    group by {{ dimension_grouping_sets(['month', 'survey_type'], dimensions) }}  -- noqa: PRS
),

final as (
    select
        month,
        survey_type,
        dimension,
        dimension_value,
        cast(responses as bigint) as responses,
        cast(detractors as bigint) as detractors,
        cast(detractors_followed_up as bigint) as detractors_followed_up,
        {{ safe_divide('detractors_followed_up', 'detractors') }} as closed_loop_rate,
        cast(median_hours_to_follow_up as double) as median_hours_to_follow_up,
        cast(followed_up_accounts as bigint) as followed_up_accounts,
        cast(followed_up_accounts_churned as bigint) as followed_up_accounts_churned,
        {{ safe_divide('followed_up_accounts_churned', 'followed_up_accounts') }}
            as followed_up_churn_rate_90d,
        cast(not_followed_up_accounts as bigint) as not_followed_up_accounts,
        cast(not_followed_up_accounts_churned as bigint) as not_followed_up_accounts_churned,
        {{ safe_divide('not_followed_up_accounts_churned', 'not_followed_up_accounts') }}
            as not_followed_up_churn_rate_90d
    from feedback
)

select * from final
