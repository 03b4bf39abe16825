-- One row per (account, month M) for accounts with at least one ticket created in
-- [M - 90 days, M), for M through the last complete month: how many such tickets, and
-- whether any was not solved before M (solved_at null or >= M) or is not FCR by its current
-- facts (as models/marts/finance/churn_by_support_experience.yml defines them). Tickets
-- without an account belong to no account. A ticket created at c falls in the window of the
-- months M with c < M <= c + 90 days, at most four of them, so the model stays linear in
-- tickets.
with

ticket_facts as (
    select * from {{ ref('int_ticket_facts') }}
),

reporting_period as (
    select * from {{ ref('int_reporting_period') }}
),

ticket_window_months as (
    select
        ticket_facts.account_id,
        ticket_facts.ticket_id,
        ticket_facts.solved_at,
        ticket_facts.is_fcr,
        {{ month_series(
            add_months(month_of('ticket_facts.created_at'), 1),
            'least( ' ~ month_of('ticket_facts.created_at + interval 90 days')
            ~ ', reporting_period.last_complete_month )'
        ) }} as month
    from ticket_facts
    cross join reporting_period
    where ticket_facts.account_id is not null
),

final as (
    select
        account_id,
        month,
        count(*) as tickets_in_window,
        cast(count_if(
            solved_at is null or solved_at >= month or not is_fcr
        ) as bigint) as unresolved_or_non_fcr_tickets
    from ticket_window_months
    group by account_id, month
)

select * from final
