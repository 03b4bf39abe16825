-- One row per account that ever paid: its cohort (as models/marts/cx/cohort_ltv.yml uses it)
-- and its onboarding experience. Cohort month = month of the first paid invoice with
-- amount_paid_cents > 0 (by paid_at). Onboarding experience, from the account's tickets with
-- category 'onboarding' created in [first paid_at, first paid_at + 30 days): none -> `none`,
-- all of them FCR -> `smooth`, otherwise `friction`.
with

invoices as (
    select * from {{ ref('stg_billing__invoices') }}
),

ticket_facts as (
    select * from {{ ref('int_ticket_facts') }}
),

first_payments as (
    select
        account_id,
        min(paid_at) as first_paid_at
    from invoices
    where status = 'paid' and amount_paid_cents > 0
    group by account_id
),

onboarding_tickets as (
    select
        first_payments.account_id,
        count(*) as onboarding_tickets,
        cast(count_if(ticket_facts.is_fcr) as bigint) as onboarding_fcr_tickets
    from first_payments
    inner join ticket_facts
        on first_payments.account_id = ticket_facts.account_id
            and ticket_facts.category = 'onboarding'
            and first_payments.first_paid_at <= ticket_facts.created_at
            and ticket_facts.created_at < first_payments.first_paid_at + interval 30 days
    group by first_payments.account_id
),

final as (
    select
        first_payments.account_id,
        first_payments.first_paid_at,
        {{ month_of('first_payments.first_paid_at') }} as cohort_month,
        coalesce(onboarding_tickets.onboarding_tickets, 0) as onboarding_tickets,
        coalesce(onboarding_tickets.onboarding_fcr_tickets, 0) as onboarding_fcr_tickets,
        case
            when onboarding_tickets.onboarding_tickets is null then 'none'
            when onboarding_tickets.onboarding_fcr_tickets = onboarding_tickets.onboarding_tickets
                then 'smooth'
            else 'friction'
        end as onboarding_experience
    from first_payments
    left join onboarding_tickets on first_payments.account_id = onboarding_tickets.account_id
)

select * from final
