"""Churn: by segment (and the other CRM dimensions) next to churn by support experience."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from dashboard import data, ui

ui.page_header("churn")

segments = data.query(
    "select month, dimension, dimension_value, accounts_at_start, churned_accounts, "
    "logo_churn_rate, mrr_at_start_usd, churned_mrr_usd, contraction_mrr_usd, "
    "expansion_mrr_usd, gross_mrr_churn_rate, net_mrr_retention "
    "from marts.churn_by_segment order by month"
)
support = data.query(
    "select month, support_experience, accounts_at_start, churned_accounts, logo_churn_rate, "
    "mrr_at_start_usd, churned_mrr_usd from marts.churn_by_support_experience order by month"
)
if segments.empty:
    ui.empty("marts.churn_by_segment has no month yet.")
    st.stop()

dimensions = [d for d in ui.DIMENSION_LABELS if d in set(segments["dimension"])]
left, right = st.columns([1, 2])
dimension = left.selectbox(
    "Break churn down by",
    dimensions,
    index=dimensions.index("segment") if "segment" in dimensions else 0,
    format_func=ui.DIMENSION_LABELS.get,
)
with right:
    start, end = ui.month_range(ui.as_dates(segments["month"]), key="churn_months")

window = ui.month_window(segments, start, end)
in_range, total, last, before = window.rows, window.total, window.last, window.before

cols = st.columns(4)
cols[0].metric(
    f"Logo churn, {ui.month_label(total.index[-1])}",
    ui.pct(last["logo_churn_rate"], 2),
    delta=None if before is None else ui.pp(last["logo_churn_rate"] - before["logo_churn_rate"], 2),
    delta_color="inverse",
    help="Churned accounts / accounts active at the start of the month, all accounts.",
    border=True,
)
cols[1].metric(
    "Gross MRR churn",
    ui.pct(last["gross_mrr_churn_rate"], 2),
    delta=None
    if before is None
    else ui.pp(last["gross_mrr_churn_rate"] - before["gross_mrr_churn_rate"], 2),
    delta_color="inverse",
    help="(Churned + contraction MRR) / MRR at start.",
    border=True,
)
cols[2].metric(
    "Net MRR retention",
    ui.pct(last["net_mrr_retention"], 1),
    delta=None
    if before is None
    else ui.pp(last["net_mrr_retention"] - before["net_mrr_retention"], 1),
    help="(Start - churned - contraction + expansion) / start; above 100% when expansion wins.",
    border=True,
)
pooled = in_range[in_range["dimension"] == "all"]
cols[3].metric(
    "Accounts churned in range",
    ui.number(pooled["churned_accounts"].sum()),
    help=f"{ui.month_label(start)} to {ui.month_label(end)}.",
    border=True,
)

by_value = in_range[in_range["dimension"] == dimension]
support_range = support[support["month"].between(pd.Timestamp(start), pd.Timestamp(end))].copy()
support_range["experience"] = support_range["support_experience"].map(ui.SUPPORT_EXPERIENCE_LABELS)

chart_left, chart_right = st.columns(2)
with chart_left:
    fig = px.line(
        by_value,
        x="month",
        y="logo_churn_rate",
        color="dimension_value",
        category_orders={"dimension_value": ui.ordered(by_value["dimension_value"])},
        markers=True,
        title=f"Logo churn by {ui.DIMENSION_LABELS[dimension].lower()}",
        labels={"logo_churn_rate": "logo churn", "month": "", "dimension_value": ""},
    )
    fig.update_yaxes(tickformat=".0%")
    ui.chart(
        fig,
        f"Monthly logo churn rate per {ui.DIMENSION_LABELS[dimension].lower()}.",
        "churn_by_segment",
        key="churn_by_segment",
    )
with chart_right:
    fig = px.line(
        support_range,
        x="month",
        y="logo_churn_rate",
        color="experience",
        markers=True,
        title="Logo churn by support experience (tickets of the last 90 days)",
        labels={"logo_churn_rate": "logo churn", "month": "", "experience": ""},
        category_orders={"experience": list(ui.SUPPORT_EXPERIENCE_LABELS.values())},
    )
    fig.update_yaxes(tickformat=".0%")
    fig.update_layout(legend={"orientation": "h", "y": -0.15})
    ui.chart(
        fig,
        "Monthly logo churn of accounts whose tickets in the 90 days before the month were "
        "all first-contact resolved, not all, or absent (an association, not a cause).",
        "churn_by_support_experience",
        key="churn_by_support_experience",
    )

pooled_value = (
    by_value.groupby("dimension_value", as_index=False)[["churned_accounts", "accounts_at_start"]]
    .sum()
    .assign(rate=lambda f: f["churned_accounts"] / f["accounts_at_start"])
    .sort_values("rate", ascending=False)
)
pooled_support = (
    support_range.groupby("experience", as_index=False)[["churned_accounts", "accounts_at_start"]]
    .sum()
    .assign(rate=lambda f: f["churned_accounts"] / f["accounts_at_start"])
    .sort_values("rate", ascending=False)
)
bar_left, bar_right = st.columns(2)
with bar_left:
    fig = px.bar(
        pooled_value,
        x="dimension_value",
        y="rate",
        text=pooled_value["rate"].map(lambda v: ui.pct(v, 1)),
        title=f"Monthly logo churn over the range by {ui.DIMENSION_LABELS[dimension].lower()}",
        labels={"rate": "logo churn", "dimension_value": ""},
    )
    fig.update_yaxes(tickformat=".0%")
    ui.chart(
        fig,
        "Churned accounts / accounts at start, summed over the chosen months.",
        "churn_by_segment",
        key="churn_by_segment_pooled",
    )
with bar_right:
    fig = px.bar(
        pooled_support,
        x="experience",
        y="rate",
        text=pooled_support["rate"].map(lambda v: ui.pct(v, 1)),
        title="Monthly logo churn over the range by support experience",
        labels={"rate": "logo churn", "experience": ""},
    )
    fig.update_yaxes(tickformat=".0%")
    ui.chart(
        fig,
        "Churned accounts / accounts at start per support experience, summed over the chosen "
        "months.",
        "churn_by_support_experience",
        key="churn_by_support_experience_pooled",
    )
