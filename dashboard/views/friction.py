"""Friction: touchpoints (category x channel) ranked by unresolved tickets, with owners."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from dashboard import data, ui

ui.page_header("friction")

scorecard = data.query(
    "select month, category, channel, touchpoint, owning_team, tickets, solved_tickets, "
    "fcr_tickets, fcr_rate, reopened_tickets, reopen_rate, median_first_reply_minutes, "
    "median_resolution_hours, csat_responses, csat_average, observed_accounts, "
    "churned_accounts_90d, churn_rate_90d, friction_tickets, friction_rate, friction_rank, "
    "first_reply_sla_attainment, resolution_sla_attainment "
    "from marts.touchpoint_scorecard order by month, friction_rank"
)
if scorecard.empty:
    ui.empty("marts.touchpoint_scorecard has no tickets yet.")
    st.stop()

months = sorted(ui.as_dates(scorecard["month"]), reverse=True)
teams = sorted(scorecard["owning_team"].unique())
f1, f2 = st.columns([1, 3])
month = f1.selectbox("Month", months, index=0, format_func=ui.month_label)
chosen_teams = f2.multiselect("Owning team", teams, default=teams, key="friction_teams")

ranked = scorecard[
    (scorecard["month"] == pd.Timestamp(month)) & scorecard["owning_team"].isin(chosen_teams)
].sort_values("friction_rank")
if ranked.empty:
    ui.empty("No touchpoint of the chosen teams had tickets that month.")
    st.stop()

top = ranked.iloc[0]
month_total = scorecard.loc[scorecard["month"] == pd.Timestamp(month), "friction_tickets"].sum()
headline, c1, c2 = st.columns([2, 1, 1])
with headline.container(border=True, key="friction_fix_first"):
    st.markdown("Fix first")
    st.markdown(f"### {top['touchpoint']}")
    st.markdown(
        f"owned by **{top['owning_team']}** · friction rank {int(top['friction_rank'])} of "
        f"{ui.month_label(month)}"
    )
c1.metric(
    "Friction tickets",
    ui.number(top["friction_tickets"]),
    help=f"Tickets not resolved at first contact (including still open): "
    f"{ui.pct(top['friction_rate'])} of its {int(top['tickets'])} tickets, "
    f"{ui.pct(top['friction_tickets'] / month_total)} of the month's friction tickets.",
    border=True,
)
c2.metric(
    "Its FCR",
    ui.pct(top["fcr_rate"]),
    help="First-contact resolved / solved tickets of the touchpoint.",
    border=True,
)
if (ranked["owning_team"] == "unowned").any():
    st.warning(
        "Some touchpoints have no owner (`unowned`): add them to seeds/touchpoint_owners.csv.",
        icon=":material/person_off:",
    )

shown = ranked.head(15).iloc[::-1]
fig = px.bar(
    shown,
    x="friction_tickets",
    y="touchpoint",
    color="owning_team",
    orientation="h",
    text=shown["friction_rate"].map(lambda v: f"{ui.pct(v, 0)} of tickets"),
    hover_data={"friction_rank": True, "tickets": True, "fcr_rate": ":.1%"},
    title=f"Friction ranking, {ui.month_label(month)} (top 15)",
    labels={"friction_tickets": "tickets not resolved at first contact", "touchpoint": ""},
    height=max(320, 28 * len(shown) + 120),
)
fig.update_layout(yaxis={"categoryorder": "array", "categoryarray": list(shown["touchpoint"])})
ui.chart(
    fig,
    "Tickets created in the month not resolved at first contact, per touchpoint, coloured by "
    "the owning team; rank 1 on top.",
    "touchpoint_scorecard",
    key="friction_ranking",
)

c1, c2 = st.columns(2)
with c1:
    by_team = (
        ranked.groupby("owning_team", as_index=False)[["friction_tickets", "tickets"]]
        .sum()
        .sort_values("friction_tickets", ascending=False)
    )
    fig = px.bar(
        by_team,
        x="owning_team",
        y="friction_tickets",
        color="owning_team",
        title=f"Friction tickets by owning team, {ui.month_label(month)}",
        labels={"friction_tickets": "friction tickets", "owning_team": ""},
    )
    fig.update_layout(showlegend=False)
    ui.chart(
        fig,
        "Friction tickets of the month summed over the touchpoints each team owns.",
        "touchpoint_scorecard",
        key="friction_by_team",
    )
with c2:
    observed = scorecard[
        scorecard["churn_rate_90d"].notna() & scorecard["owning_team"].isin(chosen_teams)
    ]
    recent = sorted(observed["month"].unique())[-3:]
    window = observed[observed["month"].isin(recent)]
    pooled = (
        window.groupby(["touchpoint", "owning_team"], as_index=False)[
            ["tickets", "friction_tickets", "observed_accounts", "churned_accounts_90d"]
        ]
        .sum()
        .assign(
            friction_rate=lambda f: f["friction_tickets"] / f["tickets"],
            churn_rate_90d=lambda f: f["churned_accounts_90d"] / f["observed_accounts"],
        )
    )
    if pooled.empty:
        ui.empty("No month has a complete 90-day churn horizon yet.")
    else:
        fig = px.scatter(
            pooled,
            x="friction_rate",
            y="churn_rate_90d",
            size="tickets",
            color="owning_team",
            hover_name="touchpoint",
            title=(
                "Friction vs 90-day churn, "
                f"{ui.month_label(recent[0])}{ui.RANGE}{ui.month_label(recent[-1])}"
            ),
            labels={"friction_rate": "friction rate", "churn_rate_90d": "90-day churn"},
        )
        fig.update_xaxes(tickformat=".0%")
        fig.update_yaxes(tickformat=".0%")
        ui.chart(
            fig,
            "Per touchpoint over the latest 3 months whose 90-day churn is known: share of "
            "tickets not resolved at first contact vs churn of the accounts that raised them "
            "(bubble = tickets).",
            "touchpoint_scorecard",
            key="friction_vs_churn",
        )

leaders = list(ranked.head(5)["touchpoint"])
history = scorecard[scorecard["touchpoint"].isin(leaders)]
history = history[history["month"] > pd.Timestamp(month) - pd.DateOffset(months=12)]
history = history[history["month"] <= pd.Timestamp(month)]
fig = px.line(
    history,
    x="month",
    y="friction_tickets",
    color="touchpoint",
    markers=True,
    title="Friction tickets per month of this month's top 5",
    labels={"friction_tickets": "friction tickets", "month": "", "touchpoint": ""},
    category_orders={"touchpoint": leaders},
)
ui.chart(
    fig,
    "Is the month's top friction new or chronic? The top 5 touchpoints over the 12 months "
    "up to the chosen month.",
    "touchpoint_scorecard",
    key="friction_history",
)

st.subheader("All touchpoints of the month")
st.dataframe(
    ranked[
        [
            "friction_rank",
            "touchpoint",
            "owning_team",
            "tickets",
            "friction_tickets",
            "fcr_rate",
            "reopen_rate",
            "median_first_reply_minutes",
            "median_resolution_hours",
            "csat_average",
            "first_reply_sla_attainment",
            "resolution_sla_attainment",
            "churn_rate_90d",
        ]
    ],
    hide_index=True,
    column_config={
        "friction_rank": st.column_config.NumberColumn("Rank"),
        "touchpoint": "Touchpoint",
        "owning_team": "Owner",
        "tickets": "Tickets",
        "friction_tickets": "Friction tickets",
        "fcr_rate": st.column_config.NumberColumn("FCR", format="percent"),
        "reopen_rate": st.column_config.NumberColumn("Reopened", format="percent"),
        "median_first_reply_minutes": st.column_config.NumberColumn(
            "Median first reply (min)", format="%.0f"
        ),
        "median_resolution_hours": st.column_config.NumberColumn(
            "Median resolution (h)", format="%.1f"
        ),
        "csat_average": st.column_config.NumberColumn("CSAT", format="%.2f"),
        "first_reply_sla_attainment": st.column_config.NumberColumn(
            "First reply in SLA", format="percent", help="Met / (met + breached), business hours."
        ),
        "resolution_sla_attainment": st.column_config.NumberColumn(
            "Resolved in SLA", format="percent", help="Met / (met + breached), business hours."
        ),
        "churn_rate_90d": st.column_config.NumberColumn(
            "90-day churn", format="percent", help="Empty until 3 complete months have passed."
        ),
    },
)
st.caption("The month's touchpoints by friction rank. Reads `marts.touchpoint_scorecard`.")
