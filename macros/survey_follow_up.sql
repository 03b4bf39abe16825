{#- Closing the loop: a response is followed up in time when followed_up_at is at most
    follow_up_days() days after responded_at (exactly 7 days still counts). -#}
{% macro follow_up_days() -%}7{%- endmacro %}

{% macro is_followed_up_in_time(responded_at, followed_up_at) -%}
    coalesce(
        {{ followed_up_at }} <= {{ responded_at }} + interval {{ follow_up_days() }} day,
        false
    )
{%- endmacro %}
