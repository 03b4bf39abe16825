{%- set dimensions = ['channel', 'category', 'team', 'segment', 'requester_role'] -%}

with

ticket_facts as (
    select * from {{ ref('int_ticket_facts') }}
),

accounts as (
    select * from {{ ref('int_accounts') }}
),

reporting_period as (
    select * from {{ ref('int_validated_reporting_period') }}
),

solved_tickets as (
    select
        ticket_facts.solved_month as month,
        ticket_facts.is_fcr,
        ticket_facts.reopens,
        ticket_facts.first_reply_minutes,
        ticket_facts.resolution_hours,
        ticket_facts.channel,
        ticket_facts.category,
        ticket_facts.team,
        coalesce(accounts.segment, 'unknown') as segment,
        ticket_facts.requester_role
    from ticket_facts
    cross join reporting_period
    left join accounts on ticket_facts.account_id = accounts.account_id
    where ticket_facts.is_solved
        and ticket_facts.solved_month <= reporting_period.last_complete_month
),

resolution as (
    select
        month,
        {{ dimension_columns(dimensions) }},
        count(*) as solved_tickets,
        count_if(is_fcr) as fcr_tickets,
        count_if(reopens > 0) as reopened_tickets,
        {{ median_of('first_reply_minutes') }} as median_first_reply_minutes,
        {{ median_of('resolution_hours') }} as median_resolution_hours
    from solved_tickets
    group by {{ dimension_grouping_sets(['month'], dimensions) }}  -- noqa: PRS
),

final as (
    select
        month,
        dimension,
        dimension_value,
        cast(solved_tickets as bigint) as solved_tickets,
        cast(fcr_tickets as bigint) as fcr_tickets,
        {{ safe_divide('fcr_tickets', 'solved_tickets') }} as fcr_rate,
        cast(reopened_tickets as bigint) as reopened_tickets,
        cast(median_first_reply_minutes as double) as median_first_reply_minutes,
        cast(median_resolution_hours as double) as median_resolution_hours
    from resolution
)

select * from final
