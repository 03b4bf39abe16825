"""The mart gate's rules per contract mart: hand-written, so they live here, with their reasons.

``make suites`` turns them into ``expectations/<mart>.mart.json`` (with every mart's common
rules, ``_every_mart.mart.json``); edit the rules here, never the JSON. What each rule checks
and why is its ``rule`` text, shown in Data Docs and in a failing run's message. Derived
columns are SQL over the mart (the gate adds them before validating): reconciliation,
contiguity and the reporting period, which GX cannot express on its own columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PII_COLUMN_NAMES = [
    "email",
    "e_mail",
    "email_address",
    "full_name",
    "first_name",
    "last_name",
    "phone",
    "phone_number",
    "comment",
    "address",
    "ip_address",
]
EMAIL_LIKE = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"


def expectation(kind: str, rule: str, **kwargs: Any) -> dict[str, Any]:
    return {"type": kind, "kwargs": kwargs, "meta": {"rule": rule}}


def not_null(column: str) -> dict[str, Any]:
    return expectation("expect_column_values_to_not_be_null", "not null", column=column)


def in_set(column: str, values: list[Any], rule: str) -> dict[str, Any]:
    return expectation("expect_column_values_to_be_in_set", rule, column=column, value_set=values)


def between(
    column: str, *, rule: str, low: float | None = None, high: float | None = None
) -> dict[str, Any]:
    bounds = {"min_value": low, "max_value": high}
    bounds = {key: value for key, value in bounds.items() if value is not None}
    return expectation("expect_column_values_to_be_between", rule, column=column, **bounds)


def at_most(column: str, bound_column: str) -> dict[str, Any]:
    """``column <= bound_column`` on every row where both are known."""
    return expectation(
        "expect_column_pair_values_a_to_be_greater_than_b",
        f"{column} <= {bound_column}",
        column_A=bound_column,
        column_B=column,
        or_equal=True,
        ignore_row_if="either_value_is_missing",
    )


UNIQUE_GRAIN = "unique_grain"


def unique_grain() -> str:
    """One row per grain (the mart's index columns); expanded when the suite is built."""
    return UNIQUE_GRAIN


@dataclass(frozen=True)
class MartRules:
    index_columns: list[str]
    derived_columns: dict[str, str]
    expectations: list[dict[str, Any] | str]

    def expanded(self) -> list[dict[str, Any]]:
        return [
            expectation(
                "expect_compound_columns_to_be_unique",
                "one row per grain",
                column_list=self.index_columns,
            )
            if rule == UNIQUE_GRAIN
            else rule
            for rule in self.expectations
        ]


EVERY_MART = {
    "meta": {
        "stage": "mart",
        "applies_to": (
            "every model in schema marts (from the dbt manifest), before its own <mart>.mart.json"
        ),
        "pii_column_names": PII_COLUMN_NAMES,
        "parameters": {
            "contract_columns": (
                "the mart's columns in the dbt yml (its enforced contract) plus derived columns"
            ),
            "columns_without_pii": "the mart's columns minus pii_column_names",
        },
    },
    "expectations": [
        expectation(
            "expect_table_columns_to_match_set",
            "columns are exactly the contract's (dbt yml)",
            column_set={"$PARAMETER": "contract_columns"},
            exact_match=True,
        ),
        expectation(
            "expect_table_columns_to_match_set",
            "no PII column (see meta.pii_column_names)",
            column_set={"$PARAMETER": "columns_without_pii"},
            exact_match=True,
        ),
        expectation("expect_table_row_count_to_be_between", "not empty", min_value=1),
        {
            "type": "expect_column_values_to_not_match_regex",
            "kwargs": {"regex": EMAIL_LIKE},
            "meta": {"rule": "no e-mail-like value (PII)", "for_each_column_of_type": "VARCHAR"},
        },
    ],
}

# derived columns several marts share
MONTH_WITHIN_REPORTING_PERIOD = (
    "month <= (select last_complete_month from intermediate.int_reporting_period)"
)
MONTHS_SINCE_PREVIOUS = (  # months since the previous row of the `all` series (1: contiguous)
    "case when dimension = 'all' then date_diff('month', lag(month) over (partition"
    " by dimension, dimension_value order by month), month) end"
)

MART_RULES: dict[str, MartRules] = {
    "churn_by_segment": MartRules(
        index_columns=["month", "dimension", "dimension_value"],
        derived_columns={
            "_month_within_reporting_period": MONTH_WITHIN_REPORTING_PERIOD,
            "_months_since_previous": MONTHS_SINCE_PREVIOUS,
        },
        expectations=[
            not_null("month"),
            not_null("dimension"),
            not_null("dimension_value"),
            unique_grain(),
            in_set(
                "dimension",
                [
                    "all",
                    "segment",
                    "industry",
                    "region",
                    "acquisition_channel",
                    "plan_tier",
                    "tenure_band",
                ],
                "contract dimensions",
            ),
            between("logo_churn_rate", low=0, high=1, rule="rate in [0, 1]"),
            between("gross_mrr_churn_rate", low=0, high=1, rule="rate in [0, 1]"),
            between("net_mrr_retention", low=0, rule="net_mrr_retention >= 0 (may exceed 1)"),
            between("accounts_at_start", low=1, rule="rows only where accounts_at_start > 0"),
            at_most("churned_accounts", "accounts_at_start"),
            at_most("churned_mrr_usd", "mrr_at_start_usd"),
            in_set(
                "_month_within_reporting_period", [True], "no month after the last complete month"
            ),
            in_set("_months_since_previous", [1], "months contiguous (dimension = 'all')"),
        ],
    ),
    "churn_by_support_experience": MartRules(
        index_columns=["month", "support_experience"],
        derived_columns={
            "_month_within_reporting_period": MONTH_WITHIN_REPORTING_PERIOD,
        },
        expectations=[
            not_null("month"),
            not_null("support_experience"),
            unique_grain(),
            in_set(
                "support_experience",
                ["had_unresolved_or_non_fcr", "all_fcr", "no_tickets"],
                "contract buckets",
            ),
            between("logo_churn_rate", low=0, high=1, rule="rate in [0, 1]"),
            between("accounts_at_start", low=1, rule="rows only where accounts_at_start > 0"),
            at_most("churned_accounts", "accounts_at_start"),
            at_most("churned_mrr_usd", "mrr_at_start_usd"),
            in_set(
                "_month_within_reporting_period", [True], "no month after the last complete month"
            ),
        ],
    ),
    "cohort_ltv": MartRules(
        index_columns=["cohort_month", "months_since_start", "dimension", "dimension_value"],
        derived_columns={
            "_cohort_month_within_reporting_period": (
                "cohort_month <= (select last_complete_month from "
                "intermediate.int_reporting_period)"
            ),
            "_months_since_previous_k": (
                "months_since_start - lag(months_since_start) over (partition by cohort_month, "
                "dimension, dimension_value order by months_since_start)"
            ),
            "_last_k_is_last_complete_month": (
                "max(months_since_start) over (partition by cohort_month, dimension, "
                "dimension_value) = date_diff('month', cohort_month, (select "
                "last_complete_month from intermediate.int_reporting_period))"
            ),
            "_ltv_is_cumulative_per_account": (
                "abs(ltv_per_account_usd - cumulative_revenue_usd / cohort_accounts) <= 1e-6"
            ),
        },
        expectations=[
            not_null("cohort_month"),
            not_null("months_since_start"),
            not_null("dimension"),
            not_null("dimension_value"),
            unique_grain(),
            in_set(
                "dimension",
                ["all", "segment", "acquisition_channel", "onboarding_experience"],
                "contract dimensions",
            ),
            between("retention_rate", low=0, high=1, rule="rate in [0, 1]"),
            between("months_since_start", low=0, rule=">= 0"),
            between("cohort_accounts", low=1, rule="cohorts have accounts"),
            at_most("active_accounts", "cohort_accounts"),
            in_set(
                "_last_k_is_last_complete_month",
                [True],
                "every cohort runs through the last complete month",
            ),
            in_set(
                "_ltv_is_cumulative_per_account",
                [True],
                "ltv_per_account_usd = cumulative_revenue_usd / cohort_accounts",
            ),
            in_set(
                "_cohort_month_within_reporting_period",
                [True],
                "no cohort_month after the last complete month",
            ),
            in_set(
                "_months_since_previous_k",
                [1],
                "months_since_start contiguous per cohort and dimension value",
            ),
        ],
    ),
    "first_contact_resolution": MartRules(
        index_columns=["month", "dimension", "dimension_value"],
        derived_columns={
            "_month_within_reporting_period": MONTH_WITHIN_REPORTING_PERIOD,
        },
        expectations=[
            not_null("month"),
            not_null("dimension"),
            not_null("dimension_value"),
            unique_grain(),
            in_set(
                "dimension",
                ["all", "channel", "category", "team", "segment", "requester_role"],
                "contract dimensions",
            ),
            between("fcr_rate", low=0, high=1, rule="rate in [0, 1]"),
            between("solved_tickets", low=1, rule="rows only where solved_tickets > 0"),
            at_most("fcr_tickets", "solved_tickets"),
            at_most("reopened_tickets", "solved_tickets"),
            between("median_first_reply_minutes", low=0, rule=">= 0"),
            between("median_resolution_hours", low=0, rule=">= 0"),
            in_set(
                "_month_within_reporting_period", [True], "no month after the last complete month"
            ),
        ],
    ),
    "support_sla": MartRules(
        index_columns=["month", "dimension", "dimension_value"],
        derived_columns={
            "_month_within_reporting_period": MONTH_WITHIN_REPORTING_PERIOD,
        },
        expectations=[
            not_null("month"),
            not_null("dimension"),
            not_null("dimension_value"),
            unique_grain(),
            in_set(
                "dimension",
                ["all", "team", "priority", "channel", "category", "segment"],
                "the mart's dimensions",
            ),
            between("tickets", low=1, rule="rows only where tickets > 0"),
            between("first_reply_sla_attainment", low=0, high=1, rule="attainment in [0, 1]"),
            between("resolution_sla_attainment", low=0, high=1, rule="attainment in [0, 1]"),
            between("breached_churn_rate_90d", low=0, high=1, rule="rate in [0, 1]"),
            between("unbreached_churn_rate_90d", low=0, high=1, rule="rate in [0, 1]"),
            at_most("solved_tickets", "tickets"),
            at_most("sla_breached_tickets", "tickets"),
            in_set(
                "_month_within_reporting_period", [True], "no month after the last complete month"
            ),
        ],
    ),
    "mrr_bridge": MartRules(
        index_columns=["month", "dimension", "dimension_value"],
        derived_columns={
            "_month_within_reporting_period": MONTH_WITHIN_REPORTING_PERIOD,
            "_months_since_previous": MONTHS_SINCE_PREVIOUS,
            "_reconciles": (
                "abs(starting_mrr_usd + new_mrr_usd + reactivation_mrr_usd + expansion_mrr_usd "
                "- contraction_mrr_usd - churned_mrr_usd - ending_mrr_usd) <= greatest(1e-6, "
                "1e-12 * abs(ending_mrr_usd))"
            ),
            "_accounts_reconcile": (
                "starting_accounts + new_accounts + reactivated_accounts - churned_accounts = "
                "ending_accounts"
            ),
            "_rolls_forward": (
                "month = max(month) over () or abs(ending_mrr_usd - coalesce(case when "
                "lead(month) over (partition by dimension, dimension_value order by month) = "
                "cast(month + interval 1 month as date) then lead(starting_mrr_usd) over "
                "(partition by dimension, dimension_value order by month) end, 0)) <= "
                "greatest(1e-6, 1e-12 * abs(ending_mrr_usd))"
            ),
        },
        expectations=[
            not_null("month"),
            not_null("dimension"),
            not_null("dimension_value"),
            unique_grain(),
            in_set(
                "dimension",
                ["all", "segment", "region", "acquisition_channel"],
                "contract dimensions",
            ),
            in_set(
                "_reconciles",
                [True],
                "starting + new + reactivation + expansion - contraction - churned = ending "
                "(within max(1e-6, 1e-12 x |ending|))",
            ),
            in_set(
                "_accounts_reconcile",
                [True],
                "starting + new + reactivated - churned accounts = ending accounts",
            ),
            in_set("_rolls_forward", [True], "ending of M = starting of M+1"),
            in_set(
                "_month_within_reporting_period", [True], "no month after the last complete month"
            ),
            in_set("_months_since_previous", [1], "months contiguous (dimension = 'all')"),
            between("starting_mrr_usd", low=0, rule="starting_mrr_usd >= 0"),
            between("new_mrr_usd", low=0, rule="new_mrr_usd >= 0"),
            between("reactivation_mrr_usd", low=0, rule="reactivation_mrr_usd >= 0"),
            between("expansion_mrr_usd", low=0, rule="expansion_mrr_usd >= 0"),
            between("contraction_mrr_usd", low=0, rule="contraction_mrr_usd >= 0"),
            between("churned_mrr_usd", low=0, rule="churned_mrr_usd >= 0"),
            between("ending_mrr_usd", low=0, rule="ending_mrr_usd >= 0"),
            between("starting_accounts", low=0, rule="starting_accounts >= 0"),
            between("new_accounts", low=0, rule="new_accounts >= 0"),
            between("reactivated_accounts", low=0, rule="reactivated_accounts >= 0"),
            between("expansion_accounts", low=0, rule="expansion_accounts >= 0"),
            between("contraction_accounts", low=0, rule="contraction_accounts >= 0"),
            between("churned_accounts", low=0, rule="churned_accounts >= 0"),
            between("ending_accounts", low=0, rule="ending_accounts >= 0"),
        ],
    ),
}
