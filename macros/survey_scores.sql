{#-
    Survey scores shared by the CX and finance marts (touchpoint_scorecard, feedback_loop,
    experience_by_role, account_health, cx_quarterly_review, ...): one definition of a
    detractor, a promoter and NPS, so changing a threshold here changes every mart.
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
