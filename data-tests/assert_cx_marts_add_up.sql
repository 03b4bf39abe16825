-- sqlfluff:indentation:template_blocks_indent:False
-- The CX marts add up to their sources: touchpoint_scorecard's tickets per month equal the
-- tickets created that month; feedback_loop's teams and segments each add up to `all`;
-- experience_by_role's roles add up to the quarter's responses; account_health's active
-- accounts and MRR equal mrr_bridge's ending accounts and MRR of the last complete month.
-- Returns one row per failed check.
-- A partial build that leaves one of the compared models unbuilt has nothing to tie out
-- (macro relations_built).
{%- if relations_built([
    'int_ticket_facts', 'int_survey_responses', 'touchpoint_scorecard', 'feedback_loop',
    'experience_by_role', 'account_health', 'mrr_bridge', 'int_validated_reporting_period'
]) %}
with

ticket_facts as (
    select * from {{ ref('int_ticket_facts') }}
),

survey_responses as (
    select * from {{ ref('int_survey_responses') }}
),

touchpoint_scorecard as (
    select * from {{ ref('touchpoint_scorecard') }}
),

feedback_loop as (
    select * from {{ ref('feedback_loop') }}
),

experience_by_role as (
    select * from {{ ref('experience_by_role') }}
),

account_health as (
    select * from {{ ref('account_health') }}
),

mrr_bridge as (
    select * from {{ ref('mrr_bridge') }}
),

reporting_period as (
    select * from {{ ref('int_validated_reporting_period') }}
),

ticket_months as (
    select {{ month_of('ticket_facts.created_at') }} as month
    from ticket_facts
    cross join reporting_period
    where {{ month_of('ticket_facts.created_at') }} <= reporting_period.last_complete_month
),

tickets_by_month as (
    select
        month,
        count(*) as tickets
    from ticket_months
    group by month
),

scorecard_by_month as (
    select
        month,
        sum(tickets) as tickets,
        max(friction_rank) as max_rank,
        count(*) as touchpoints
    from touchpoint_scorecard
    group by month
),

ticket_check as (
    select
        'touchpoint tickets' as check_name,
        cast(coalesce(tickets_by_month.month, scorecard_by_month.month) as string) as detail
    from tickets_by_month
    full outer join scorecard_by_month on tickets_by_month.month = scorecard_by_month.month
    where coalesce(tickets_by_month.tickets, 0) <> coalesce(scorecard_by_month.tickets, 0)
        or scorecard_by_month.max_rank <> scorecard_by_month.touchpoints
),

feedback_dimensions as (
    select
        month,
        survey_type,
        dimension,
        sum(responses) as responses,
        sum(detractors) as detractors,
        sum(detractors_followed_up) as detractors_followed_up
    from feedback_loop
    group by month, survey_type, dimension
),

feedback_check as (
    select
        'feedback dimensions' as check_name,
        feedback_dimensions.dimension || ' ' || cast(feedback_dimensions.month as string) as detail
    from feedback_dimensions
    inner join feedback_dimensions as total
        on feedback_dimensions.month = total.month
            and feedback_dimensions.survey_type = total.survey_type
            and total.dimension = 'all'
    where feedback_dimensions.responses <> total.responses
        or feedback_dimensions.detractors <> total.detractors
        or feedback_dimensions.detractors_followed_up <> total.detractors_followed_up
),

role_responses as (
    select
        quarter,
        sum(responses) as responses
    from experience_by_role
    group by quarter
),

quarter_responses as (
    select
        quarter,
        count(*) as responses
    from survey_responses
    group by quarter
),

role_check as (
    select
        'roles' as check_name,
        cast(role_responses.quarter as string) as detail
    from role_responses
    left join quarter_responses on role_responses.quarter = quarter_responses.quarter
    where role_responses.responses <> coalesce(quarter_responses.responses, 0)
),

health_totals as (
    select
        count_if(is_active) as active_accounts,
        sum(mrr_usd) as mrr_usd
    from account_health
),

health_check as (
    select
        'account health MRR' as check_name,
        cast(reporting_period.last_complete_month as string) as detail
    from reporting_period
    cross join health_totals
    left join mrr_bridge
        on reporting_period.last_complete_month = mrr_bridge.month
            and mrr_bridge.dimension = 'all'
    where health_totals.active_accounts <> coalesce(mrr_bridge.ending_accounts, 0)
        or abs(coalesce(health_totals.mrr_usd, 0) - coalesce(mrr_bridge.ending_mrr_usd, 0))
        > greatest(1e-6, 1e-9 * coalesce(mrr_bridge.ending_mrr_usd, 0))
),

final as (
    select * from ticket_check
    union all
    select * from feedback_check
    union all
    select * from role_check
    union all
    select * from health_check
)

select * from final
{%- else %}
select 1 as not_built
where false
{%- endif %}
