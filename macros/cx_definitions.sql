{#-
    CX-to-revenue definitions shared by the CX plan and finance marts (revenue_by_tenure,
    cac_payback_by_channel, cx_improvement_value, touchpoint_scorecard, feedback_loop,
    experience_by_role, account_health, cx_quarterly_review). One definition per idea:
    change a threshold here and every mart follows.
-#}

{#- A detractor: NPS 0-6, or CSAT 1-2. -#}
{% macro is_detractor(survey_type, score) -%}
    (
        ({{ survey_type }} = 'nps' and {{ score }} <= 6)
        or ({{ survey_type }} = 'csat' and {{ score }} <= 2)
    )
{%- endmacro %}

{#- NPS promoters (9-10) and detractors (0-6); passives are 7-8. -#}
{% macro is_nps_promoter(score) -%}
    ({{ score }} >= 9)
{%- endmacro %}

{#- NPS as a fraction in [-1, 1] over NPS responses: share of promoters minus share of
    detractors (x 100 for the usual NPS points). An aggregate; null when there is none. -#}
{% macro nps_of(score, filter_condition='true') -%}
    {{ safe_divide(
        'count_if(' ~ filter_condition ~ ' and ' ~ is_nps_promoter(score) ~ ') - count_if('
        ~ filter_condition ~ ' and ' ~ score ~ ' <= 6)',
        'count_if(' ~ filter_condition ~ ')'
    ) }}
{%- endmacro %}

{#- Closing the loop: a response is followed up in time when followed_up_at is at most
    follow_up_days() days after responded_at (exactly 7 days still counts). -#}
{% macro follow_up_days() -%}7{%- endmacro %}

{% macro is_followed_up_in_time(responded_at, followed_up_at) -%}
    coalesce(
        {{ followed_up_at }} <= {{ responded_at }} + to_days({{ follow_up_days() }}),
        false
    )
{%- endmacro %}

{#- The churn horizon ("90-day churn"): an account active in month E (MRR(E) > 0) churns
    within the horizon when it has a churn movement in one of the churn_horizon_months()
    months after E (E+1 .. E+3). See int_account_churn_outlook. -#}
{% macro churn_horizon_months() -%}3{%- endmacro %}

{#- The look-back of the account snapshot (account_health): tickets and surveys of the
    snapshot_days() days before the as-of date. -#}
{% macro snapshot_days() -%}90{%- endmacro %}

{#- Quarter of a date or timestamp: the first day of its calendar quarter, as a DATE. -#}
{% macro quarter_of(expression) -%}
    cast(date_trunc('quarter', {{ expression }}) as date)
{%- endmacro %}

{#- The relative FCR improvements modelled by cx_improvement_value, as fractions: 5%, 20%
    and the dbt var `cx_improvement_pct` (in percent, default 10). -#}
{% macro cx_improvement_default() -%}
    {%- set value = var('cx_improvement_pct', 10) | float -%}
    {%- if value <= 0 or value > 100 -%}
        {{ exceptions.raise_compiler_error(
            'var cx_improvement_pct must be a percentage in (0, 100], e.g. 10 for +10%; got '
            ~ var('cx_improvement_pct')) }}
    {%- endif -%}
    {{ value / 100.0 }}
{%- endmacro %}

{% macro cx_improvement_scenarios() -%}
    {%- set scenarios = [0.05, 0.10, 0.20] -%}
    {%- set default = cx_improvement_default() | trim | float -%}
    {%- if default not in scenarios -%}
        {%- do scenarios.append(default) -%}
    {%- endif -%}
    {{ return(scenarios | sort) }}
{%- endmacro %}
