{#-
    Business time, defined once. Every business-minute figure of the warehouse comes from
    these macros (int_ticket_facts, int_ticket_sla); see int_ticket_facts' yml for the
    definitions in words.

    The business minutes of calendar c between two UTC instants t0 < t1 are the length of
    [t0, t1) intersected with the union of c's UTC working intervals; 0 when t1 <= t0.
    c's UTC working intervals: for every local date d of c that is not a holiday of c, and
    every row (c, isodow(d), start_time, end_time) of support_calendars, the local interval
    [d + start_time, d + end_time) with each end converted to UTC by local_to_utc (an
    interval that is empty after conversion is dropped). Computed without expanding any
    ticket over its minutes or days, as

        business_minutes(t0, t1) = (W(t1) - W(t0)) / 60e6,  W(t) = working microseconds before t

    where W comes from business_time_segments: per calendar, the UTC timeline cut at every
    UTC midnight and at every start and end of a working interval into segments, each with
    working_us_before (working microseconds of the calendar from the start of the range to
    the segment's start) and is_working. For t in segment s:
    W(t) = s.working_us_before + (t - s.segment_start if s.is_working else 0). Integer
    microseconds, so W(t1) - W(t0) is exact.
-#}


{#-
    A local (wall-clock) timestamp of IANA zone `time_zone` as a naive UTC timestamp; the
    only time-zone conversion of the project. A local time that does not exist (the clocks
    jump over it) or exists twice (the clocks go back over it) is converted with the
    smaller of the two UTC offsets in force around the change, i.e. to the later of the
    two readings: a skipped time is read with the offset from before the jump (02:30 on a
    spring-forward night in New York is 07:30 UTC, which is 03:30 EDT), a repeated time as
    its second occurrence (01:30 on the fall-back night in New York is 06:30 UTC, EST).
    This is what DuckDB's timezone() (ICU) does.
-#}
{% macro local_to_utc(local_timestamp, time_zone) -%}
    {{ return(adapter.dispatch('local_to_utc', 'cx_warehouse')(local_timestamp, time_zone)) }}
{%- endmacro %}

{% macro duckdb__local_to_utc(local_timestamp, time_zone) -%}
    timezone('UTC', timezone({{ time_zone }}, {{ local_timestamp }}))
{%- endmacro %}

{#-
    Spark (session time zone UTC): to_utc_timestamp reads a repeated local time as its first
    occurrence and shifts a skipped one forward by the gap. To follow the rule above, the
    local time is read with the offset in force a day before and a day after it
    (to_utc_timestamp(local +- 1 day) -+ 1 day); a reading that converts back to the local
    time is valid. One valid reading is the answer; with two (a repeated time) or none (a
    skipped time) the later reading is.
-#}
{% macro spark__local_to_utc(local_timestamp, time_zone) -%}
    case
        when from_utc_timestamp(
            to_utc_timestamp({{ local_timestamp }} - interval 1 day, {{ time_zone }}) + interval 1 day,
            {{ time_zone }}
        ) = {{ local_timestamp }}
        and from_utc_timestamp(
            to_utc_timestamp({{ local_timestamp }} + interval 1 day, {{ time_zone }}) - interval 1 day,
            {{ time_zone }}
        ) <> {{ local_timestamp }}
            then to_utc_timestamp({{ local_timestamp }} - interval 1 day, {{ time_zone }}) + interval 1 day
        when from_utc_timestamp(
            to_utc_timestamp({{ local_timestamp }} + interval 1 day, {{ time_zone }}) - interval 1 day,
            {{ time_zone }}
        ) = {{ local_timestamp }}
        and from_utc_timestamp(
            to_utc_timestamp({{ local_timestamp }} - interval 1 day, {{ time_zone }}) + interval 1 day,
            {{ time_zone }}
        ) <> {{ local_timestamp }}
            then to_utc_timestamp({{ local_timestamp }} + interval 1 day, {{ time_zone }}) - interval 1 day
        else greatest(
            to_utc_timestamp({{ local_timestamp }} - interval 1 day, {{ time_zone }}) + interval 1 day,
            to_utc_timestamp({{ local_timestamp }} + interval 1 day, {{ time_zone }}) - interval 1 day
        )
    end
{%- endmacro %}


{#-
    Small engine differences of the segments, dispatched like local_to_utc:
    midnight_series(start, end) one row per timestamp start, start + 1 day, ... <= end (a
    set-returning select expression); iso_weekday(date) 1 = Monday .. 7 = Sunday;
    add_microseconds(timestamp, n).
-#}
{% macro midnight_series(start_at, end_at) -%}
    {{ return(adapter.dispatch('midnight_series', 'cx_warehouse')(start_at, end_at)) }}
{%- endmacro %}
{% macro default__midnight_series(start_at, end_at) -%}
    unnest(generate_series({{ start_at }}, {{ end_at }}, interval 1 day))
{%- endmacro %}
{% macro spark__midnight_series(start_at, end_at) -%}
    explode(sequence({{ start_at }}, {{ end_at }}, interval 1 day))
{%- endmacro %}

{% macro iso_weekday(date_expression) -%}
    {{ return(adapter.dispatch('iso_weekday', 'cx_warehouse')(date_expression)) }}
{%- endmacro %}
{% macro default__iso_weekday(date_expression) -%}
    isodow({{ date_expression }})
{%- endmacro %}
{% macro spark__iso_weekday(date_expression) -%}
    extract(dayofweek_iso from {{ date_expression }})
{%- endmacro %}

{% macro add_microseconds(timestamp_expression, microseconds) -%}
    {{ return(adapter.dispatch('add_microseconds', 'cx_warehouse')(timestamp_expression, microseconds)) }}
{%- endmacro %}
{% macro default__add_microseconds(timestamp_expression, microseconds) -%}
    ({{ timestamp_expression }} + to_microseconds({{ microseconds }}))
{%- endmacro %}
{% macro spark__add_microseconds(timestamp_expression, microseconds) -%}
    timestamp_micros(unix_micros({{ timestamp_expression }}) + {{ microseconds }})
{%- endmacro %}

{#- A sorted, separated concatenation of text values (an aggregate). -#}
{% macro sorted_string_agg(expression, separator) -%}
    {{ return(adapter.dispatch('sorted_string_agg', 'cx_warehouse')(expression, separator)) }}
{%- endmacro %}
{% macro default__sorted_string_agg(expression, separator) -%}
    string_agg({{ expression }}, {{ separator }} order by {{ expression }})
{%- endmacro %}
{% macro spark__sorted_string_agg(expression, separator) -%}
    array_join(array_sort(collect_list({{ expression }})), {{ separator }})
{%- endmacro %}


{#- Microseconds from local midnight of a clock time 'HH:MM' ('24:00' = the next midnight). -#}
{% macro clock_time_us(clock_time) -%}
    (cast(split_part({{ clock_time }}, ':', 1) as bigint) * 3600000000
    + cast(split_part({{ clock_time }}, ':', 2) as bigint) * 60000000)
{%- endmacro %}


{#-
    The business-time segments of every calendar of `calendars` (support_calendars) without
    the holidays of `holidays` (support_holidays), covering the UTC days `first_date` ..
    `last_date` of the one-row relation `bounds` (every instant looked up must fall in
    [first_date 00:00, last_date + 1 day 00:00) UTC). Renders a select of: calendar,
    segment_date (UTC date), segment_start, segment_end (UTC, [start, end)), is_working,
    working_us (length if working, else 0) and working_us_before (W(segment_start)). The
    segments of a calendar partition that UTC range without overlap.
-#}
{% macro business_time_segments(calendars, holidays, bounds) -%}
    with

    calendar_rows as (
        select
            calendar,
            time_zone,
            weekday,
            {{ clock_time_us('start_time') }} as start_us,
            {{ clock_time_us('end_time') }} as end_us
        from {{ calendars }}
    ),

    calendar_names as (
        select distinct calendar from calendar_rows
    ),

    -- UTC midnights from first_date to last_date + 1 (the end of the range)
    utc_midnights as (
        select {{ midnight_series('cast(first_date as timestamp)', 'cast(last_date + 1 as timestamp)') }}
            as midnight_at
        from {{ bounds }}
    ),

    -- local dates one day either side: every local date whose intervals can reach the range
    -- (the series in a subquery: Spark allows no generator nested in an expression)
    local_dates as (
        select cast(local_midnight_at as date) as local_date
        from (
            select {{ midnight_series(
                'cast(first_date - 1 as timestamp)', 'cast(last_date + 1 as timestamp)'
            ) }} as local_midnight_at
            from {{ bounds }}
        ) as local_midnights
    ),

    local_intervals as (
        select
            calendar_rows.calendar,
            calendar_rows.time_zone,
            {{ add_microseconds('cast(local_dates.local_date as timestamp)', 'calendar_rows.start_us') }}
                as local_start,
            {{ add_microseconds('cast(local_dates.local_date as timestamp)', 'calendar_rows.end_us') }}
                as local_end
        from calendar_rows
        inner join local_dates on {{ iso_weekday('local_dates.local_date') }} = calendar_rows.weekday
        where not exists (
            select 1
            from {{ holidays }} as holidays
            where holidays.calendar = calendar_rows.calendar
                and holidays.holiday_date = local_dates.local_date
        )
    ),

    utc_intervals as (
        select
            calendar,
            {{ local_to_utc('local_start', 'time_zone') }} as utc_start,
            {{ local_to_utc('local_end', 'time_zone') }} as utc_end
        from local_intervals
    ),

    -- the union of a calendar's intervals as disjoint intervals: in order of start, each
    -- begins no earlier than the latest end before it (only DST can make them overlap)
    disjoint_intervals as (
        select
            calendar,
            greatest(
                utc_start,
                coalesce(
                    max(utc_end) over (
                        partition by calendar
                        order by utc_start, utc_end
                        rows between unbounded preceding and 1 preceding
                    ),
                    utc_start
                )
            ) as utc_start,
            utc_end
        from utc_intervals
        where utc_end > utc_start
    ),

    -- cut at UTC midnights and clipped to the range
    working_pieces as (
        select
            calendar,
            greatest(utc_start, midnight_at) as piece_start,
            least(utc_end, midnight_at + interval 1 day) as piece_end
        from (
            select
                calendar,
                utc_start,
                utc_end,
                {{ midnight_series("date_trunc('day', utc_start)", 'utc_end - interval 1 microsecond') }}
                    as midnight_at
            from disjoint_intervals
            where utc_end > utc_start
        ) as by_day
        where midnight_at >= (select cast(first_date as timestamp) from {{ bounds }})
            and midnight_at <= (select cast(last_date as timestamp) from {{ bounds }})
    ),

    boundaries as (
        select
            calendar_names.calendar,
            utc_midnights.midnight_at as boundary_at
        from calendar_names
        cross join utc_midnights
        union
        select
            calendar,
            piece_start
        from working_pieces
        union
        select
            calendar,
            piece_end
        from working_pieces
    ),

    timeline as (
        select
            calendar,
            boundary_at as segment_start,
            lead(boundary_at) over (partition by calendar order by boundary_at) as segment_end
        from boundaries
    ),

    segments as (
        select
            timeline.calendar,
            cast(timeline.segment_start as date) as segment_date,
            timeline.segment_start,
            timeline.segment_end,
            working_pieces.calendar is not null as is_working,
            case
                when working_pieces.calendar is not null
                    then {{ microseconds_between('timeline.segment_start', 'timeline.segment_end') }}
                else 0
            end as working_us
        from timeline
        left join working_pieces
            on timeline.calendar = working_pieces.calendar
                and timeline.segment_start = working_pieces.piece_start
        where timeline.segment_end is not null
    )

    select
        calendar,
        segment_date,
        segment_start,
        segment_end,
        is_working,
        cast(working_us as bigint) as working_us,
        cast(coalesce(sum(working_us) over (
            partition by calendar
            order by segment_start
            rows between unbounded preceding and 1 preceding
        ), 0) as bigint) as working_us_before
    from segments
{%- endmacro %}


{#-
    Join condition: the segment `alias` of calendar `calendar` that holds `instant` (a UTC
    timestamp); segment_date first, so the join is an equi-join on (calendar, UTC date).
-#}
{% macro business_segment_holds(alias, calendar, instant) -%}
    {{ alias }}.calendar = {{ calendar }}
    and {{ alias }}.segment_date = cast({{ instant }} as date)
    and {{ alias }}.segment_start <= {{ instant }}
    and {{ instant }} < {{ alias }}.segment_end
{%- endmacro %}


{#- W(instant): working microseconds of the calendar before `instant`, from its segment `alias`. -#}
{% macro working_us_at(alias, instant) -%}
    ({{ alias }}.working_us_before + case
        when {{ alias }}.is_working then {{ microseconds_between(alias ~ '.segment_start', instant) }}
        else 0
    end)
{%- endmacro %}


{#-
    Business time from t0 to t1 in whole microseconds, given W(t0) and W(t1): W(t1) - W(t0)
    when t1 > t0, 0 when t1 <= t0, null when t0, t1 or a W is null. business_minutes is the
    same in (fractional) minutes.
-#}
{% macro business_us(t0, w0, t1, w1) -%}
    case
        when {{ w0 }} is null or {{ w1 }} is null then cast(null as bigint)
        when {{ t1 }} > {{ t0 }} then {{ w1 }} - {{ w0 }}
        when {{ t1 }} <= {{ t0 }} then cast(0 as bigint)
    end
{%- endmacro %}

{% macro business_minutes(t0, w0, t1, w1) -%}
    ({{ business_us(t0, w0, t1, w1) }}) / 60e6
{%- endmacro %}


{#-
    Business minutes each ticket of `tickets` spent awaiting the agent (status `new` or
    `open`) and awaiting the customer (status `pending`), up to its cutoff. Renders a select
    of ticket_id, awaiting_agent_business_minutes, awaiting_customer_business_minutes, one
    row per ticket of `tickets`.

    - `tickets`: ticket_id, business_calendar, created_at, cutoff_at (the solve, or the end
      of the as-of day for an unsolved ticket);
    - `status_events`: the tickets' status_change events (ticket_id, event_id, created_at,
      status_to);
    - `segments`: business_time_segments covering every created_at and cutoff_at.

    The ticket is `new` from created_at until its first status change; each change starts
    an interval of its status_to that lasts until the next change (the last one without
    end). Changes are ordered by created_at, then event_id (a change at the very instant of
    the ticket's creation still follows the `new` interval; of changes with equal
    timestamps, the one with the greatest event_id sets the status that lasts). Each
    interval [a, b) counts as [a, min(b, cutoff_at)): its business minutes (0 when empty).

    Computed as points in time: the creation and every change before the cutoff, then the
    cutoff itself (changes at or after it only cut intervals that the cutoff cuts anyway);
    an interval's business time is W(next point) - W(its point), one lookup per point.
-#}
{% macro status_wait_minutes(tickets, status_events, segments) -%}
    with

    status_points as (
        select
            ticket_id,
            business_calendar,
            created_at as point_at,
            0 as point_order,
            cast(null as string) as event_id,
            'new' as status
        from {{ tickets }}
        where created_at < cutoff_at
        union all
        select
            tickets.ticket_id,
            tickets.business_calendar,
            status_events.created_at as point_at,
            1 as point_order,
            status_events.event_id,
            status_events.status_to as status
        from {{ status_events }} as status_events
        inner join {{ tickets }} as tickets on status_events.ticket_id = tickets.ticket_id
        where status_events.created_at < tickets.cutoff_at
        union all
        select
            ticket_id,
            business_calendar,
            cutoff_at as point_at,
            2 as point_order,
            cast(null as string) as event_id,
            cast(null as string) as status
        from {{ tickets }}
    ),

    timed_points as (
        select
            status_points.ticket_id,
            status_points.point_at,
            status_points.point_order,
            status_points.event_id,
            status_points.status,
            {{ working_us_at('at_point', 'status_points.point_at') }} as point_w
        from status_points
        left join {{ segments }} as at_point
            on {{ business_segment_holds(
                'at_point', 'status_points.business_calendar', 'status_points.point_at'
            ) }}
    ),

    interval_us as (
        select
            ticket_id,
            point_order,
            status,
            lead(point_w) over (
                partition by ticket_id order by point_at, point_order, event_id
            ) - point_w as business_us
        from timed_points
    )

    -- null (not 0) when an instant found no segment, so a not_null test catches it
    select
        ticket_id,
        case when bool_and(business_us is not null) filter (where point_order < 2) is not false then
            coalesce(sum(business_us) filter (where status in ('new', 'open')), 0) / 60e6
        end as awaiting_agent_business_minutes,
        case when bool_and(business_us is not null) filter (where point_order < 2) is not false then
            coalesce(sum(business_us) filter (where status = 'pending'), 0) / 60e6
        end as awaiting_customer_business_minutes
    from interval_us
    group by ticket_id
{%- endmacro %}
