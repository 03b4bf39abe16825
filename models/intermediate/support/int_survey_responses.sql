-- One row per current survey response (CSAT per ticket, relationship NPS) with its facts:
-- month and quarter of responded_at, the responding contact's role, the rated ticket's team,
-- detractor (NPS 0-6, CSAT 1-2) and follow-up in time (followed_up_at at most 7 days after
-- responded_at). The free-text comment (may hold PII) never gets here.
with

survey_responses as (
    select * from {{ ref('stg_support__survey_responses') }}
),

contacts as (
    select * from {{ ref('stg_crm__contacts') }}
),

ticket_facts as (
    select * from {{ ref('int_ticket_facts') }}
),

final as (
    select
        survey_responses.response_id,
        survey_responses.survey_type,
        survey_responses.account_id,
        survey_responses.contact_id,
        coalesce(contacts.role, 'unknown') as contact_role,
        survey_responses.ticket_id,
        -- NPS answers rate no ticket (even when a loader filled ticket_id): no team
        case
            when survey_responses.survey_type = 'csat' then coalesce(ticket_facts.team, 'unknown')
            else 'unknown'
        end as team,
        survey_responses.score,
        survey_responses.responded_at,
        {{ month_of('survey_responses.responded_at') }} as month,
        {{ quarter_of('survey_responses.responded_at') }} as quarter,
        survey_responses.followed_up_at,
        {{ is_detractor('survey_responses.survey_type', 'survey_responses.score') }} as is_detractor,
        survey_responses.survey_type = 'nps'
        and {{ is_nps_promoter('survey_responses.score') }} as is_promoter,
        {{ is_followed_up_in_time('survey_responses.responded_at', 'survey_responses.followed_up_at') }}
            as is_followed_up_in_time,
        {{ microseconds_between('survey_responses.responded_at', 'survey_responses.followed_up_at') }}
        / 3600e6 as hours_to_follow_up
    from survey_responses
    left join contacts on survey_responses.contact_id = contacts.contact_id
    left join ticket_facts on survey_responses.ticket_id = ticket_facts.ticket_id
)

select * from final
