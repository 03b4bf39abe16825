"""Cohorts: retention and LTV curves by onboarding experience (or segment, channel)."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from dashboard import data, ui

ui.page_header("cohorts")

cohorts = data.query(
    "select cohort_month, months_since_start, dimension, dimension_value, cohort_accounts, "
    "active_accounts, retention_rate, cumulative_revenue_usd, ltv_per_account_usd "
    "from marts.cohort_ltv order by cohort_month, months_since_start"
)
if cohorts.empty:
    ui.empty("marts.cohort_ltv has no cohort yet.")
    st.stop()

ONBOARDING = {"smooth": "smooth", "friction": "friction", "none": "no onboarding tickets"}
dimensions = [
    d
    for d in ("onboarding_experience", "segment", "acquisition_channel")
    if d in set(cohorts["dimension"])
]
f1, f2 = st.columns([1, 3])
dimension = f1.selectbox("Compare cohorts by", dimensions, format_func=ui.DIMENSION_LABELS.get)
with f2:
    start, end = ui.month_range(
        ui.as_dates(cohorts["cohort_month"]),
        key="cohort_months",
        default_months=24,
        label="Cohort months",
    )
chosen = cohorts[cohorts["cohort_month"].between(pd.Timestamp(start), pd.Timestamp(end))]


def pooled(frame: pd.DataFrame) -> pd.DataFrame:
    """Per value and age: retention and LTV per account over the cohorts that reached the age."""
    sums = frame.groupby(["dimension_value", "months_since_start"], as_index=False)[
        ["cohort_accounts", "active_accounts", "cumulative_revenue_usd"]
    ].sum()
    return sums.assign(
        retention=sums["active_accounts"] / sums["cohort_accounts"],
        ltv=sums["cumulative_revenue_usd"] / sums["cohort_accounts"],
    )


onboarding = pooled(chosen[chosen["dimension"] == "onboarding_experience"])
at_6m = onboarding[onboarding["months_since_start"] == 5].set_index("dimension_value")
cols = st.columns(4)
for i, (value, measure, label) in enumerate(
    [
        ("smooth", "retention", "Smooth · retained at 6 mo"),
        ("friction", "retention", "Friction · retained at 6 mo"),
        ("smooth", "ltv", "Smooth · LTV at 6 mo"),
        ("friction", "ltv", "Friction · LTV at 6 mo"),
    ]
):
    shown = at_6m[measure].get(value) if value in at_6m.index else None
    cols[i].metric(
        label,
        ui.pct(shown) if measure == "retention" else ui.usd(shown),
        help="Onboarding smooth: every onboarding ticket of the first 30 days resolved at first "
        "contact; friction: not. Retention and LTV per account 6 months in (month 5 after the "
        "cohort month), pooled over the chosen cohorts that old.",
        border=True,
    )

MIN_COHORTS = 6  # ages that fewer cohorts reached are a few cohorts' noise
reached = (
    chosen[chosen["dimension"] == "all"].groupby("months_since_start")["cohort_month"].nunique()
)
curves = pooled(chosen[chosen["dimension"] == dimension])
curves = curves[curves["months_since_start"].map(reached).fillna(0) >= MIN_COHORTS]
if dimension == "onboarding_experience":
    curves["dimension_value"] = (
        curves["dimension_value"].map(ONBOARDING).fillna(curves["dimension_value"])
    )
name = ui.DIMENSION_LABELS[dimension].lower()
c1, c2 = st.columns(2)
with c1:
    fig = px.line(
        curves,
        x="months_since_start",
        y="retention",
        color="dimension_value",
        markers=True,
        title=f"Retention curve by {name}",
        labels={
            "months_since_start": "months since first payment",
            "retention": "active",
            "dimension_value": "",
        },
    )
    fig.update_yaxes(tickformat=".0%")
    ui.chart(
        fig,
        f"Share of a cohort's accounts still paying k months after their first payment, per "
        f"{name}, pooled over the chosen cohorts old enough for each k (ages at least "
        f"{MIN_COHORTS} cohorts reached).",
        "cohort_ltv",
        key="cohort_retention",
    )
with c2:
    fig = px.line(
        curves,
        x="months_since_start",
        y="ltv",
        color="dimension_value",
        markers=True,
        title=f"Cumulative LTV per account by {name}",
        labels={
            "months_since_start": "months since first payment",
            "ltv": "USD per account",
            "dimension_value": "",
        },
    )
    fig.update_yaxes(tickprefix="$")
    ui.chart(
        fig,
        f"Net revenue per cohort account from the cohort month to month k, per {name}.",
        "cohort_ltv",
        key="cohort_ltv",
    )

values = sorted(chosen.loc[chosen["dimension"] == dimension, "dimension_value"].unique())
pick = st.selectbox(
    "Cohort triangle for",
    ["all", *values],
    format_func=lambda v: "all accounts" if v == "all" else ONBOARDING.get(v, v),
)
triangle_rows = chosen[
    (chosen["dimension"] == ("all" if pick == "all" else dimension))
    & (chosen["dimension_value"] == pick)
]
triangle = triangle_rows.pivot_table(
    index="cohort_month", columns="months_since_start", values="retention_rate"
).sort_index(ascending=False)
fig = px.imshow(
    triangle.to_numpy(),
    x=[str(k) for k in triangle.columns],
    y=[ui.month_label(m) for m in triangle.index],
    color_continuous_scale="Blues",
    zmin=0,
    zmax=1,
    aspect="auto",
    labels={"x": "months since first payment", "y": "cohort", "color": "retention"},
    title="Retention by cohort month",
    height=max(360, 22 * len(triangle) + 120),
)
ui.chart(
    fig,
    "Each row a cohort (month of first payment), each column k months later: share of its "
    "accounts still active.",
    "cohort_ltv",
    key="cohort_triangle",
)
