{%- set dimensions = ['team', 'priority', 'channel', 'category', 'segment'] -%}

with

ticket_facts as (
    select * from {{ ref('int_ticket_facts') }}
),

ticket_sla as (
    select * from {{ ref('int_ticket_sla') }}
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

-- tickets by the month they were created in, through the last complete month
tickets as (
    select
        {{ month_of('ticket_facts.created_at') }} as month,
        ticket_facts.ticket_id,
        ticket_facts.account_id,
        ticket_facts.team,
        coalesce(ticket_facts.priority, 'unknown') as priority,
        ticket_facts.channel,
        ticket_facts.category,
        coalesce(accounts.segment, 'unknown') as segment,
        ticket_sla.is_solved,
        ticket_sla.reply_tier,
        ticket_sla.first_reply_business_minutes,
        ticket_sla.resolution_business_minutes,
        ticket_sla.awaiting_agent_business_minutes,
        ticket_sla.awaiting_customer_business_minutes,
        ticket_sla.first_reply_sla,
        ticket_sla.resolution_sla,
        ticket_sla.is_sla_breached
    from ticket_facts
    inner join ticket_sla on ticket_facts.ticket_id = ticket_sla.ticket_id
    cross join reporting_period
    left join accounts on ticket_facts.account_id = accounts.account_id
    where {{ month_of('ticket_facts.created_at') }} <= reporting_period.last_complete_month
),

ticket_metrics as (
    select
        month,
        {{ dimension_columns(dimensions) }},
        count(*) as tickets,
        count_if(is_solved) as solved_tickets,
        count_if(first_reply_sla = 'met') as first_reply_sla_met,
        count_if(first_reply_sla = 'breached') as first_reply_sla_breached,
        count_if(first_reply_sla = 'pending') as first_reply_sla_pending,
        count_if(resolution_sla = 'met') as resolution_sla_met,
        count_if(resolution_sla = 'breached') as resolution_sla_breached,
        count_if(resolution_sla = 'pending') as resolution_sla_pending,
        count_if(is_sla_breached) as sla_breached_tickets,
        {{ median_of('first_reply_business_minutes') }} as median_first_reply_business_minutes,
        {{ median_of('resolution_business_minutes') }} as median_resolution_business_minutes,
        {{ median_of('awaiting_agent_business_minutes') }} as median_awaiting_agent_business_minutes,
        {{ median_of('awaiting_customer_business_minutes') }}
            as median_awaiting_customer_business_minutes,
        count_if(reply_tier = 'zero_touch') as zero_touch_tickets,
        count_if(reply_tier = 'one_touch') as one_touch_tickets,
        count_if(reply_tier = 'two_touch') as two_touch_tickets,
        count_if(reply_tier = 'multi_touch') as multi_touch_tickets
    from tickets
    group by {{ dimension_grouping_sets(['month'], dimensions) }}  -- noqa: PRS
),

-- the accounts with tickets in the month that were active in it, with their 90-day outlook
active_account_months as (
    select
        touched.month,
        touched.account_id,
        churn_outlook.is_horizon_complete,
        churn_outlook.churned_within_horizon
    from (
        select distinct
            month,
            account_id
        from tickets
        where account_id is not null
    ) as touched
    inner join churn_outlook
        on touched.account_id = churn_outlook.account_id
            and touched.month = churn_outlook.month
),

account_tickets as (
    select
        tickets.*,
        active_account_months.is_horizon_complete,
        active_account_months.churned_within_horizon
    from tickets
    inner join active_account_months
        on tickets.account_id = active_account_months.account_id
            and tickets.month = active_account_months.month
),

-- each such account per month and slice: did any of its tickets of the slice breach an SLA?
account_slices as (
    select
        month,
        {{ dimension_columns(dimensions) }},
        account_id,
        bool_or(is_sla_breached) as had_sla_breach,
        bool_or(is_horizon_complete) as is_horizon_complete,
        bool_or(churned_within_horizon) as churned_within_horizon
    from account_tickets
    group by {{ dimension_grouping_sets(['month', 'account_id'], dimensions) }}  -- noqa: PRS
),

account_metrics as (
    select
        month,
        dimension,
        dimension_value,
        count(*) filter (where had_sla_breach) as breached_accounts,
        count(*) filter (where had_sla_breach and is_horizon_complete) as breached_observed_accounts,
        count(*) filter (
            where had_sla_breach and is_horizon_complete and churned_within_horizon
        ) as breached_churned_accounts_90d,
        count(*) filter (where not had_sla_breach) as unbreached_accounts,
        count(*) filter (where not had_sla_breach and is_horizon_complete)
            as unbreached_observed_accounts,
        count(*) filter (
            where not had_sla_breach and is_horizon_complete and churned_within_horizon
        ) as unbreached_churned_accounts_90d
    from account_slices
    group by month, dimension, dimension_value
),

joined as (
    select
        ticket_metrics.*,
        coalesce(account_metrics.breached_accounts, 0) as breached_accounts,
        coalesce(account_metrics.breached_observed_accounts, 0) as breached_observed_accounts,
        coalesce(account_metrics.breached_churned_accounts_90d, 0) as breached_churned_accounts_90d,
        coalesce(account_metrics.unbreached_accounts, 0) as unbreached_accounts,
        coalesce(account_metrics.unbreached_observed_accounts, 0) as unbreached_observed_accounts,
        coalesce(account_metrics.unbreached_churned_accounts_90d, 0) as unbreached_churned_accounts_90d
    from ticket_metrics
    left join account_metrics
        on ticket_metrics.month = account_metrics.month
            and ticket_metrics.dimension = account_metrics.dimension
            and ticket_metrics.dimension_value = account_metrics.dimension_value
),

final as (
    select
        month,
        dimension,
        dimension_value,
        cast(tickets as bigint) as tickets,
        cast(solved_tickets as bigint) as solved_tickets,
        cast(first_reply_sla_met as bigint) as first_reply_sla_met,
        cast(first_reply_sla_breached as bigint) as first_reply_sla_breached,
        cast(first_reply_sla_pending as bigint) as first_reply_sla_pending,
        {{ safe_divide('first_reply_sla_met', 'first_reply_sla_met + first_reply_sla_breached') }}
            as first_reply_sla_attainment,
        cast(resolution_sla_met as bigint) as resolution_sla_met,
        cast(resolution_sla_breached as bigint) as resolution_sla_breached,
        cast(resolution_sla_pending as bigint) as resolution_sla_pending,
        {{ safe_divide('resolution_sla_met', 'resolution_sla_met + resolution_sla_breached') }}
            as resolution_sla_attainment,
        cast(sla_breached_tickets as bigint) as sla_breached_tickets,
        cast(median_first_reply_business_minutes as double) as median_first_reply_business_minutes,
        cast(median_resolution_business_minutes as double) as median_resolution_business_minutes,
        cast(median_awaiting_agent_business_minutes as double)
            as median_awaiting_agent_business_minutes,
        cast(median_awaiting_customer_business_minutes as double)
            as median_awaiting_customer_business_minutes,
        cast(zero_touch_tickets as bigint) as zero_touch_tickets,
        cast(one_touch_tickets as bigint) as one_touch_tickets,
        cast(two_touch_tickets as bigint) as two_touch_tickets,
        cast(multi_touch_tickets as bigint) as multi_touch_tickets,
        {{ safe_divide('zero_touch_tickets', 'tickets') }} as zero_touch_share,
        {{ safe_divide('one_touch_tickets', 'tickets') }} as one_touch_share,
        {{ safe_divide('two_touch_tickets', 'tickets') }} as two_touch_share,
        {{ safe_divide('multi_touch_tickets', 'tickets') }} as multi_touch_share,
        cast(breached_accounts as bigint) as breached_accounts,
        cast(breached_observed_accounts as bigint) as breached_observed_accounts,
        cast(breached_churned_accounts_90d as bigint) as breached_churned_accounts_90d,
        {{ safe_divide('breached_churned_accounts_90d', 'breached_observed_accounts') }}
            as breached_churn_rate_90d,
        cast(unbreached_accounts as bigint) as unbreached_accounts,
        cast(unbreached_observed_accounts as bigint) as unbreached_observed_accounts,
        cast(unbreached_churned_accounts_90d as bigint) as unbreached_churned_accounts_90d,
        {{ safe_divide('unbreached_churned_accounts_90d', 'unbreached_observed_accounts') }}
            as unbreached_churn_rate_90d,
        {{ safe_divide('breached_churned_accounts_90d', 'breached_observed_accounts') }}
        - {{ safe_divide('unbreached_churned_accounts_90d', 'unbreached_observed_accounts') }}
            as breach_churn_gap_90d
    from joined
)

select * from final
