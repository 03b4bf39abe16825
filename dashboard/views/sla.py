"""SLA in business hours: attainment, where tickets wait, reply tiers, churn after breaches."""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from dashboard import data, ui

ui.page_header("sla")

sla = data.query(
    "select month, dimension, dimension_value, tickets, first_reply_sla_met, "
    "first_reply_sla_breached, first_reply_sla_attainment, resolution_sla_met, "
    "resolution_sla_breached, resolution_sla_attainment, median_first_reply_business_minutes, "
    "median_resolution_business_minutes, median_awaiting_agent_business_minutes, "
    "median_awaiting_customer_business_minutes, zero_touch_share, one_touch_share, "
    "two_touch_share, multi_touch_share, breached_observed_accounts, "
    "breached_churned_accounts_90d, breached_churn_rate_90d, unbreached_observed_accounts, "
    "unbreached_churned_accounts_90d, unbreached_churn_rate_90d, breach_churn_gap_90d "
    "from marts.support_sla order by month"
)
if sla.empty:
    ui.empty("marts.support_sla has no tickets yet.")
    st.stop()

DIMENSION_LABELS = {**ui.DIMENSION_LABELS, "priority": "Priority"}
dimensions = [
    d for d in ("team", "priority", "channel", "category", "segment") if d in set(sla["dimension"])
]
f1, f2, f3 = st.columns([1, 1, 2])
dimension = f1.selectbox("Break down by", dimensions, format_func=DIMENSION_LABELS.get)
values = ui.ordered(sla.loc[sla["dimension"] == dimension, "dimension_value"])
chosen = f2.multiselect(
    DIMENSION_LABELS[dimension], values, default=values, key=f"sla_values_{dimension}"
)
with f3:
    start, end = ui.month_range(ui.as_dates(sla["month"]), key="sla_months")

window = ui.month_window(sla, start, end)
in_range, total, last, month = window.rows, window.total, window.last, window.month


observed = total[total["breach_churn_gap_90d"].notna()]
cols = st.columns(4)
cols[0].metric(
    f"First reply within SLA, {month}",
    ui.pct(last["first_reply_sla_attainment"]),
    delta=window.delta("first_reply_sla_attainment", ui.pp),
    help="Met / (met + breached) of the month's tickets, in business hours of the team's "
    "calendar; tickets still inside their target count in neither.",
    border=True,
)
cols[1].metric(
    "Resolved within SLA",
    ui.pct(last["resolution_sla_attainment"]),
    delta=window.delta("resolution_sla_attainment", ui.pp),
    help="Met / (met + breached): solved within the priority's target in business minutes; "
    "unsolved tickets past it are breached.",
    border=True,
)
cols[2].metric(
    "Median wait on the agent",
    f"{ui.number(last['median_awaiting_agent_business_minutes'])} min",
    delta=window.delta("median_awaiting_agent_business_minutes", lambda v: f"{v:+.0f} min"),
    delta_color="inverse",
    help="Business minutes in status new or open, up to the solve (or the as-of day).",
    border=True,
)
if observed.empty:
    cols[3].metric(
        "Churn after a breach",
        ui.NA,
        help="No month has a complete 90-day churn horizon yet.",
        border=True,
    )
else:
    gap = observed.iloc[-1]
    cols[3].metric(
        f"Churn after a breach, {ui.month_label(observed.index[-1])}",
        ui.pp(gap["breach_churn_gap_90d"]),
        help=f"90-day churn of active accounts whose tickets breached an SLA "
        f"({ui.pct(gap['breached_churn_rate_90d'])}) minus that of those whose did not "
        f"({ui.pct(gap['unbreached_churn_rate_90d'])}); the latest month whose horizon is "
        "complete.",
        border=True,
    )

by_value = in_range[
    (in_range["dimension"] == dimension) & in_range["dimension_value"].isin(chosen)
].copy()
if by_value.empty:
    ui.empty(f"No {DIMENSION_LABELS[dimension].lower()} chosen.")
    st.stop()
name = DIMENSION_LABELS[dimension].lower()
labels = {"month": "", "dimension_value": ""}
span = f"{ui.month_label(start)}{ui.RANGE}{ui.month_label(end)}"

trend = total.reset_index().melt(
    id_vars="month",
    value_vars=["first_reply_sla_attainment", "resolution_sla_attainment"],
    var_name="sla",
    value_name="attainment",
)
trend["sla"] = trend["sla"].map(
    {"first_reply_sla_attainment": "first reply", "resolution_sla_attainment": "resolution"}
)
row1 = st.columns(2)
with row1[0]:
    fig = px.line(
        trend,
        x="month",
        y="attainment",
        color="sla",
        markers=True,
        title="SLA attainment per month (all tickets)",
        labels={"month": "", "attainment": "met / (met + breached)", "sla": ""},
    )
    fig.update_yaxes(tickformat=".0%")
    ui.chart(
        fig,
        "First-reply and resolution SLA attainment of the tickets created each month, in "
        "business hours.",
        "support_sla",
        key="sla_trend",
    )
pooled = (
    by_value.groupby("dimension_value", as_index=False)[
        [
            "tickets",
            "first_reply_sla_met",
            "first_reply_sla_breached",
            "resolution_sla_met",
            "resolution_sla_breached",
        ]
    ]
    .sum()
    .assign(
        first_reply=lambda f: (
            f["first_reply_sla_met"]
            / (f["first_reply_sla_met"] + f["first_reply_sla_breached"]).where(lambda s: s > 0)
        ),
        resolution=lambda f: (
            f["resolution_sla_met"]
            / (f["resolution_sla_met"] + f["resolution_sla_breached"]).where(lambda s: s > 0)
        ),
    )
)
with row1[1]:
    bars = pooled.melt(
        id_vars="dimension_value",
        value_vars=["first_reply", "resolution"],
        var_name="sla",
        value_name="attainment",
    )
    fig = px.bar(
        bars,
        x="attainment",
        y="dimension_value",
        color="sla",
        barmode="group",
        orientation="h",
        title=f"SLA attainment by {name}, {span}",
        labels={**labels, "attainment": "met / (met + breached)", "sla": ""},
        category_orders={"dimension_value": ui.ordered(bars["dimension_value"])},
    )
    fig.update_xaxes(tickformat=".0%")
    ui.chart(
        fig,
        f"Met / (met + breached) per {name}, pooled over the chosen months.",
        "support_sla",
        key="sla_by_value",
    )

row2 = st.columns(2)
with row2[0]:
    waiting = by_value.melt(
        id_vars=["month", "dimension_value"],
        value_vars=[
            "median_awaiting_agent_business_minutes",
            "median_awaiting_customer_business_minutes",
        ],
        var_name="waiting_on",
        value_name="minutes",
    )
    waiting["waiting_on"] = waiting["waiting_on"].map(
        {
            "median_awaiting_agent_business_minutes": "agent",
            "median_awaiting_customer_business_minutes": "customer",
        }
    )
    fig = px.line(
        waiting,
        x="month",
        y="minutes",
        color="dimension_value",
        line_dash="waiting_on",
        markers=True,
        category_orders={"dimension_value": ui.ordered(waiting["dimension_value"])},
        title=f"Median wait on the agent and on the customer by {name}",
        labels={**labels, "minutes": "business minutes", "waiting_on": "waiting on"},
    )
    ui.chart(
        fig,
        f"Median business minutes per ticket in status new/open (the agent) and pending (the "
        f"customer), tickets created in the month, per {name}.",
        "support_sla",
        key="sla_waiting",
    )
with row2[1]:
    tiers = total.reset_index().melt(
        id_vars="month",
        value_vars=["zero_touch_share", "one_touch_share", "two_touch_share", "multi_touch_share"],
        var_name="tier",
        value_name="share",
    )
    tiers["tier"] = tiers["tier"].str.replace("_share", "").str.replace("_", "-")
    fig = px.bar(
        tiers,
        x="month",
        y="share",
        color="tier",
        title="Reply tiers per month (all tickets)",
        labels={"month": "", "share": "share of tickets", "tier": ""},
        category_orders={"tier": ["zero-touch", "one-touch", "two-touch", "multi-touch"]},
    )
    fig.update_yaxes(tickformat=".0%")
    ui.chart(
        fig,
        "Share of the month's tickets by public agent replies: none, one, two, three or more.",
        "support_sla",
        key="sla_tiers",
    )

churn = total.reset_index()
churn = churn[churn["breach_churn_gap_90d"].notna()].melt(
    id_vars="month",
    value_vars=["breached_churn_rate_90d", "unbreached_churn_rate_90d"],
    var_name="accounts",
    value_name="churn",
)
if churn.empty:
    ui.empty("No month has a complete 90-day churn horizon yet.")
else:
    churn["accounts"] = churn["accounts"].map(
        {
            "breached_churn_rate_90d": "tickets breached an SLA",
            "unbreached_churn_rate_90d": "no breach",
        }
    )
    fig = px.line(
        churn,
        x="month",
        y="churn",
        color="accounts",
        markers=True,
        title="90-day churn of accounts after a breach vs without one",
        labels={"month": "", "churn": "90-day churn", "accounts": ""},
    )
    fig.update_yaxes(tickformat=".0%")
    ui.chart(
        fig,
        "Of the active accounts with tickets created in the month, the share with a churn "
        "movement in the next 3 months: those with a ticket that breached an SLA vs the rest "
        "(months whose horizon is complete).",
        "support_sla",
        key="sla_churn",
    )

st.subheader(f"By {name}, {span}")
st.dataframe(
    pooled[["dimension_value", "tickets", "first_reply", "resolution"]],
    hide_index=True,
    column_config={
        "dimension_value": DIMENSION_LABELS[dimension],
        "tickets": "Tickets",
        "first_reply": st.column_config.NumberColumn("First reply within SLA", format="percent"),
        "resolution": st.column_config.NumberColumn("Resolved within SLA", format="percent"),
    },
    key="sla_table",
)
st.caption(
    f"SLA attainment per {name} over the chosen months (met / (met + breached)). Reads "
    "`marts.support_sla`."
)
