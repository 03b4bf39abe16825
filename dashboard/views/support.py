"""Support: FCR, first reply, resolution time and reopens by channel, category or team."""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from dashboard import data, ui

ui.page_header("support")

fcr = data.query(
    "select month, dimension, dimension_value, solved_tickets, fcr_tickets, fcr_rate, "
    "reopened_tickets, median_first_reply_minutes, median_resolution_hours "
    "from marts.first_contact_resolution order by month"
)
if fcr.empty:
    ui.empty("marts.first_contact_resolution has no solved tickets yet.")
    st.stop()

dimensions = [
    d
    for d in ("channel", "category", "team", "segment", "requester_role")
    if d in set(fcr["dimension"])
]
f1, f2, f3 = st.columns([1, 1, 2])
dimension = f1.selectbox("Break down by", dimensions, format_func=ui.DIMENSION_LABELS.get)
values = sorted(fcr.loc[fcr["dimension"] == dimension, "dimension_value"].unique())
label = {"team": "Teams", "channel": "Channels", "category": "Categories"}.get(
    dimension, ui.DIMENSION_LABELS[dimension]
)
chosen = f2.multiselect(label, values, default=values, key=f"support_values_{dimension}")
with f3:
    start, end = ui.month_range(ui.as_dates(fcr["month"]), key="support_months")

window = ui.month_window(fcr, start, end)
in_range, total, last, before, month = (
    window.rows,
    window.total,
    window.last,
    window.before,
    window.month,
)


cols = st.columns(4)
cols[0].metric(
    f"FCR, {month}",
    ui.pct(last["fcr_rate"]),
    delta=window.delta("fcr_rate", ui.pp),
    help="Solved tickets resolved with one public agent reply and no reopen / solved tickets.",
    border=True,
)
cols[1].metric(
    "Median first reply",
    f"{ui.number(last['median_first_reply_minutes'])} min",
    delta=window.delta("median_first_reply_minutes", lambda v: f"{v:+.0f} min"),
    delta_color="inverse",
    help="Of the tickets solved in the month, minutes to the first public agent reply.",
    border=True,
)
cols[2].metric(
    "Median resolution",
    f"{ui.number(last['median_resolution_hours'], 1)} h",
    delta=window.delta("median_resolution_hours", lambda v: f"{v:+.1f} h"),
    delta_color="inverse",
    help="Hours from created to solved, tickets solved in the month.",
    border=True,
)
reopen_rate = last["reopened_tickets"] / last["solved_tickets"]
before_reopen = None if before is None else before["reopened_tickets"] / before["solved_tickets"]
cols[3].metric(
    "Reopened",
    ui.pct(reopen_rate),
    delta=None if before_reopen is None else ui.pp(reopen_rate - before_reopen),
    delta_color="inverse",
    help="Solved tickets reopened at least once / solved tickets.",
    border=True,
)

by_value = in_range[
    (in_range["dimension"] == dimension) & in_range["dimension_value"].isin(chosen)
].copy()
if by_value.empty:
    ui.empty(f"No {label.lower()} chosen.")
    st.stop()
name = ui.DIMENSION_LABELS[dimension].lower()
labels = {"month": "", "dimension_value": ""}

pooled = (
    by_value.groupby("dimension_value", as_index=False)[
        ["solved_tickets", "fcr_tickets", "reopened_tickets"]
    ]
    .sum()
    .assign(
        fcr_rate=lambda f: f["fcr_tickets"] / f["solved_tickets"],
        reopen_rate=lambda f: f["reopened_tickets"] / f["solved_tickets"],
    )
)

row1 = st.columns(2)
with row1[0]:
    ordered = pooled.sort_values("fcr_rate", ascending=False)  # Plotly draws the last on top
    fig = px.bar(
        ordered,
        x="fcr_rate",
        y="dimension_value",
        orientation="h",
        text=ordered["fcr_rate"].map(ui.pct),
        hover_data={"solved_tickets": True},
        title=f"FCR by {name}, {ui.month_label(start)}{ui.RANGE}{ui.month_label(end)}",
        labels={**labels, "fcr_rate": "FCR"},
    )
    fig.update_xaxes(tickformat=".0%")
    ui.chart(
        fig,
        f"First-contact resolved / solved tickets per {name}, summed over the chosen months; "
        "lowest first.",
        "first_contact_resolution",
        key="support_fcr_pooled",
    )
with row1[1]:
    fig = px.line(
        by_value,
        x="month",
        y="fcr_rate",
        color="dimension_value",
        category_orders={"dimension_value": ui.ordered(by_value["dimension_value"])},
        markers=True,
        title=f"FCR per month by {name}",
        labels={**labels, "fcr_rate": "FCR"},
    )
    fig.update_yaxes(tickformat=".0%")
    ui.chart(
        fig,
        f"Monthly FCR rate of tickets solved in the month per {name}.",
        "first_contact_resolution",
        key="support_fcr_trend",
    )


def _median_trend(column: str, unit: str, what: str, caption: str, key: str) -> None:
    """A log-scale line per dimension value of one median of first_contact_resolution."""
    fig = px.line(
        by_value,
        x="month",
        y=column,
        color="dimension_value",
        category_orders={"dimension_value": ui.ordered(by_value["dimension_value"])},
        markers=True,
        log_y=True,
        title=f"{what} ({unit}, log scale) by {name}",
        labels={**labels, column: unit},
    )
    ui.chart(fig, caption, "first_contact_resolution", key=key)


row2 = st.columns(2)
with row2[0]:
    _median_trend(
        "median_first_reply_minutes",
        "minutes",
        "Median first reply",
        f"Median minutes to the first public agent reply of the month's solved tickets per {name}.",
        "support_first_reply",
    )
with row2[1]:
    _median_trend(
        "median_resolution_hours",
        "hours",
        "Median resolution",
        f"Median hours from created to solved of the month's solved tickets per {name}.",
        "support_resolution",
    )

row3 = st.columns(2)
with row3[0]:
    ordered = pooled.sort_values("reopen_rate", ascending=False)
    fig = px.bar(
        ordered,
        x="dimension_value",
        y="reopen_rate",
        text=ordered["reopen_rate"].map(ui.pct),
        hover_data={"reopened_tickets": True, "solved_tickets": True},
        title=f"Reopen rate by {name}",
        labels={**labels, "reopen_rate": "reopened / solved"},
    )
    fig.update_yaxes(tickformat=".0%")
    ui.chart(
        fig,
        f"Solved tickets reopened at least once / solved tickets per {name}, chosen months.",
        "first_contact_resolution",
        key="support_reopen_rate",
    )
with row3[1]:
    fig = px.bar(
        by_value,
        x="month",
        y="reopened_tickets",
        color="dimension_value",
        category_orders={"dimension_value": ui.ordered(by_value["dimension_value"])},
        title=f"Reopened tickets per month by {name}",
        labels={**labels, "reopened_tickets": "reopened tickets"},
    )
    ui.chart(
        fig,
        f"Count of solved tickets with a reopen, by month solved and {name}.",
        "first_contact_resolution",
        key="support_reopens",
    )
