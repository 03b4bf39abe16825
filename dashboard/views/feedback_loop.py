"""Feedback loop: do we follow up detractors within 7 days, and do followed-up ones stay?"""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from dashboard import data, ui

ui.page_header("feedback_loop")

loop = data.query(
    "select month, survey_type, dimension, dimension_value, responses, detractors, "
    "detractors_followed_up, closed_loop_rate, median_hours_to_follow_up, "
    "followed_up_accounts, followed_up_accounts_churned, not_followed_up_accounts, "
    "not_followed_up_accounts_churned from marts.feedback_loop order by month"
)
if loop.empty:
    ui.empty("marts.feedback_loop has no survey responses yet.")
    st.stop()

SURVEYS = {"both": "CSAT and NPS", "csat": "CSAT", "nps": "NPS"}
f1, f2, f3 = st.columns([1, 1, 2])
survey = f1.selectbox("Survey", list(SURVEYS), format_func=SURVEYS.get)
breakdown = f2.selectbox("Break down by", ["team", "segment"], format_func=ui.DIMENSION_LABELS.get)
with f3:
    start, end = ui.month_range(ui.as_dates(loop["month"]), key="feedback_months")

types = ["csat", "nps"] if survey == "both" else [survey]
view = loop[
    loop["survey_type"].isin(types) & loop["month"].between(pd.Timestamp(start), pd.Timestamp(end))
]
total = view[view["dimension"] == "all"]
monthly = total.groupby("month")[["detractors", "detractors_followed_up", "responses"]].sum()
last_month = monthly.index.max()
last = monthly.loc[last_month]
previous = monthly.iloc[-2] if len(monthly) > 1 else None

rate = last["detractors_followed_up"] / last["detractors"] if last["detractors"] else None
previous_rate = (
    previous["detractors_followed_up"] / previous["detractors"]
    if previous is not None and previous["detractors"]
    else None
)
CHURN_COUNTS = [
    "followed_up_accounts",
    "followed_up_accounts_churned",
    "not_followed_up_accounts",
    "not_followed_up_accounts_churned",
]
counts = total[CHURN_COUNTS].sum()
followed_churn = (
    counts["followed_up_accounts_churned"] / counts["followed_up_accounts"]
    if counts["followed_up_accounts"]
    else None
)
not_followed_churn = (
    counts["not_followed_up_accounts_churned"] / counts["not_followed_up_accounts"]
    if counts["not_followed_up_accounts"]
    else None
)

cols = st.columns(4)
cols[0].metric(
    f"Closed-loop rate, {ui.month_label(last_month)}",
    ui.pct(rate),
    delta=None if rate is None or previous_rate is None else ui.pp(rate - previous_rate),
    help="Detractor responses followed up within 7 days / detractor responses "
    "(the latest month's follow-ups may still come).",
    border=True,
)
cols[1].metric(
    "Detractors that month",
    ui.number(last["detractors"]),
    help=f"Of {ui.number(last['responses'])} responses (NPS 0-6, CSAT 1-2).",
    border=True,
)
cols[2].metric(
    "90-day churn, followed up",
    ui.pct(followed_churn),
    help="Accounts with a detractor followed up in time that churned within 3 months, over "
    "the chosen months whose 3 months have passed.",
    border=True,
)
cols[3].metric(
    "90-day churn, not followed up",
    ui.pct(not_followed_churn),
    delta=None
    if followed_churn is None or not_followed_churn is None
    else f"{ui.pp(not_followed_churn - followed_churn)} vs followed up",
    delta_color="inverse",
    border=True,
)

c1, c2 = st.columns(2)
with c1:
    fig = px.line(
        total,
        x="month",
        y="closed_loop_rate",
        color="survey_type",
        markers=True,
        title="Closed-loop rate per month",
        labels={"closed_loop_rate": "followed up ≤ 7 days", "month": "", "survey_type": ""},
    )
    fig.update_yaxes(tickformat=".0%")
    ui.chart(
        fig,
        "Share of detractor responses followed up within 7 days, by survey type.",
        "feedback_loop",
        key="feedback_closed_loop",
    )
with c2:
    churn = (
        total.groupby("survey_type")[
            [
                "followed_up_accounts",
                "followed_up_accounts_churned",
                "not_followed_up_accounts",
                "not_followed_up_accounts_churned",
            ]
        ]
        .sum()
        .reset_index()
    )
    bars = pd.concat(
        [
            churn.assign(
                group="followed up ≤ 7 days",
                rate=churn["followed_up_accounts_churned"] / churn["followed_up_accounts"],
                accounts=churn["followed_up_accounts"],
            ),
            churn.assign(
                group="not followed up",
                rate=churn["not_followed_up_accounts_churned"] / churn["not_followed_up_accounts"],
                accounts=churn["not_followed_up_accounts"],
            ),
        ]
    )
    bars = bars[bars["accounts"] > 0]
    if bars.empty:
        ui.empty("No chosen month has a complete 90-day churn horizon yet.")
    else:
        fig = px.bar(
            bars,
            x="survey_type",
            y="rate",
            color="group",
            barmode="group",
            text=bars["rate"].map(ui.pct),
            hover_data={"accounts": True},
            title="90-day churn of detractor accounts: followed up vs not",
            labels={"rate": "churned within 3 months", "survey_type": "", "group": ""},
        )
        fig.update_yaxes(tickformat=".0%")
        ui.chart(
            fig,
            "Churn within 3 months of accounts whose detractor answer was followed up in time "
            "vs not, chosen months with a complete horizon (an association, not a cause).",
            "feedback_loop",
            key="feedback_churn",
        )

c3, c4 = st.columns(2)
with c3:
    by_value = (
        view[view["dimension"] == breakdown]
        .groupby("dimension_value", as_index=False)[["detractors", "detractors_followed_up"]]
        .sum()
    )
    by_value = by_value[by_value["detractors"] > 0].assign(
        rate=lambda f: f["detractors_followed_up"] / f["detractors"]
    )
    by_value = by_value.sort_values("rate", ascending=False)  # lowest on top
    fig = px.bar(
        by_value,
        x="rate",
        y="dimension_value",
        orientation="h",
        text=by_value["rate"].map(ui.pct),
        hover_data={"detractors": True},
        title=f"Closed-loop rate by {ui.DIMENSION_LABELS[breakdown].lower()}",
        labels={"rate": "followed up ≤ 7 days", "dimension_value": ""},
    )
    fig.update_xaxes(tickformat=".0%")
    ui.chart(
        fig,
        f"Detractors followed up in time / detractors per {breakdown}, chosen months"
        + (" (NPS rates no ticket, so its team is `unknown`)." if breakdown == "team" else "."),
        "feedback_loop",
        key="feedback_by_value",
    )
with c4:
    fig = px.line(
        total,
        x="month",
        y="median_hours_to_follow_up",
        color="survey_type",
        markers=True,
        title="Median hours to follow up a detractor",
        labels={"median_hours_to_follow_up": "hours", "month": "", "survey_type": ""},
    )
    fig.add_hline(y=7 * 24, line_dash="dot", line_color="grey", annotation_text="7 days")
    ui.chart(
        fig,
        "Median hours from the answer to the follow-up, of the detractors ever followed up.",
        "feedback_loop",
        key="feedback_hours",
    )
