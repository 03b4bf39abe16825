"""Roles: whose experience (buyer, admin, champion, end user) predicts renewal."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from dashboard import data, ui

ui.page_header("roles")

ROLES = {
    "economic_buyer": "Economic buyer",
    "admin": "Admin",
    "champion": "Champion",
    "end_user": "End user",
    "unknown": "Unknown role",
}

roles = data.query(
    "select quarter, contact_role, responses, csat_average, nps, detractor_responses, "
    "responding_accounts, detractor_accounts, detractor_accounts_active, "
    "detractor_accounts_renewed, detractor_renewal_rate, other_accounts_active, "
    "other_accounts_renewed, other_renewal_rate, renewal_rate_gap "
    "from marts.experience_by_role order by quarter"
)
if roles.empty:
    ui.empty("marts.experience_by_role has no complete quarter yet.")
    st.stop()
roles["role"] = roles["contact_role"].map(ROLES).fillna(roles["contact_role"])

quarters = sorted(ui.as_dates(roles["quarter"]), reverse=True)
observed = sorted(ui.as_dates(roles.loc[roles["renewal_rate_gap"].notna(), "quarter"]))
default = quarters.index(observed[-1]) if observed else 0
quarter = st.selectbox(
    "Quarter",
    quarters,
    index=default,
    format_func=lambda q: (
        ui.quarter_label(q) + ("" if q in observed else " (renewal not yet known)")
    ),
    help="Renewal is known once the 3 months after the quarter are complete.",
)
current = roles[roles["quarter"] == pd.Timestamp(quarter)]
known = current[current["renewal_rate_gap"].notna() & (current["contact_role"] != "unknown")]

cols = st.columns(3)
if known.empty:
    cols[0].metric("Strongest churn signal", ui.NA, help="Renewal not yet known.", border=True)
else:
    lead = known.sort_values("renewal_rate_gap", ascending=False).iloc[0]
    cols[0].metric(
        "Strongest churn signal",
        lead["role"],
        help="The role whose detractors renew least compared with the accounts whose "
        "contacts in that role were not detractors.",
        border=True,
    )
    cols[1].metric(
        "Renewal gap",
        ui.pp(lead["renewal_rate_gap"]),
        help=f"{ui.pct(lead['other_renewal_rate'])} renewal without a detractor vs "
        f"{ui.pct(lead['detractor_renewal_rate'])} with one.",
        border=True,
    )
    cols[2].metric(
        "Its detractor accounts",
        ui.number(lead["detractor_accounts"]),
        help="Accounts with a detractor answer from a contact in that role in the quarter.",
        border=True,
    )

c1, c2 = st.columns(2)
with c1:
    long = pd.concat(
        [
            current.assign(group="had a detractor", rate=current["detractor_renewal_rate"]),
            current.assign(group="no detractor", rate=current["other_renewal_rate"]),
        ]
    )
    long = long[long["rate"].notna()]
    if long.empty:
        ui.empty(f"Renewal of {ui.quarter_label(quarter)} is not known yet.")
    else:
        fig = px.bar(
            long,
            x="role",
            y="rate",
            color="group",
            barmode="group",
            text=long["rate"].map(lambda v: ui.pct(v, 0)),
            title=f"90-day renewal by role, {ui.quarter_label(quarter)}",
            labels={"rate": "renewed", "role": "", "group": ""},
            category_orders={"role": list(ROLES.values())},
        )
        fig.update_yaxes(tickformat=".0%", range=[0, 1.05])
        ui.chart(
            fig,
            "Share of accounts that renewed (no churn within 3 months) when a contact in the "
            "role was a detractor vs not.",
            "experience_by_role",
            key="roles_renewal",
        )
with c2:
    gap = roles[roles["renewal_rate_gap"].notna()]
    fig = px.line(
        gap,
        x="quarter",
        y="renewal_rate_gap",
        color="role",
        markers=True,
        title="Renewal gap per quarter",
        labels={"renewal_rate_gap": "renewal gap (no detractor minus detractor)", "quarter": ""},
        category_orders={"role": list(ROLES.values())},
    )
    fig.update_yaxes(tickformat=".0%")
    ui.chart(
        fig,
        "The larger the gap, the better that role's unhappiness predicts churn (an association).",
        "experience_by_role",
        key="roles_gap",
    )

c3, c4 = st.columns(2)
with c3:
    fig = px.bar(
        current.assign(nps_points=current["nps"] * 100),
        x="role",
        y="nps_points",
        text=(current["nps"] * 100).map(lambda v: ui.number(v, 0)),
        title=f"NPS by role, {ui.quarter_label(quarter)}",
        labels={"nps_points": "NPS (points)", "role": ""},
        category_orders={"role": list(ROLES.values())},
    )
    ui.chart(
        fig,
        "Promoters minus detractors per NPS answer, in points, by the answering contact's role.",
        "experience_by_role",
        key="roles_nps",
    )
with c4:
    fig = px.bar(
        current,
        x="role",
        y="csat_average",
        text=current["csat_average"].map(lambda v: ui.number(v, 2)),
        title=f"CSAT by role, {ui.quarter_label(quarter)}",
        labels={"csat_average": "mean CSAT (1-5)", "role": ""},
        category_orders={"role": list(ROLES.values())},
    )
    fig.update_yaxes(range=[1, 5])
    ui.chart(
        fig,
        "Mean CSAT score by the answering contact's role.",
        "experience_by_role",
        key="roles_csat",
    )
