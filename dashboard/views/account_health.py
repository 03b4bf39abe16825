"""Account health worklist: active accounts by health score, lowest first (no PII)."""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from dashboard import data, ui

ui.page_header("account_health")

BANDS = {"at_risk": "at risk (< 50)", "watch": "watch (50-74)", "healthy": "healthy (≥ 75)"}
SEGMENTS = ["Enterprise", "Mid-Market", "SMB", "unknown"]

summary = data.query(
    "select health_band, segment, count(*) as accounts, sum(mrr_usd) as mrr_usd, "
    "sum(case when has_detractor_not_followed_up then 1 else 0 end) as open_loops "
    "from marts.account_health where is_active group by all"
)
if summary.empty:
    ui.empty("marts.account_health has no active account.")
    st.stop()
segments = [s for s in SEGMENTS if s in set(summary["segment"])] + sorted(
    set(summary["segment"]) - set(SEGMENTS)
)

f1, f2, f3 = st.columns([2, 2, 1])
bands = f1.multiselect(
    "Health band", list(BANDS), default=["at_risk", "watch"], format_func=BANDS.get
)
chosen_segments = f2.multiselect("Segment", segments, default=segments)
open_loops_only = f3.toggle(
    "Open loops only",
    help="Accounts with a detractor answer of the last 90 days nobody followed up yet.",
)

where = "is_active and list_contains(?, health_band) and list_contains(?, segment)"
if open_loops_only:
    where += " and has_detractor_not_followed_up"
params = [bands, chosen_segments]
counts = data.query(
    f"select count(*) as accounts, coalesce(sum(mrr_usd), 0) as mrr_usd, "
    f"sum(case when has_detractor_not_followed_up then 1 else 0 end) as open_loops, "
    f"avg(health_score) as avg_score from marts.account_health where {where}",
    params,
).iloc[0]
at_risk = summary[summary["health_band"] == "at_risk"]

cols = st.columns(4)
cols[0].metric(
    "At-risk accounts",
    ui.number(at_risk["accounts"].sum()),
    help="Active accounts with a health score below 50 (all segments).",
    border=True,
)
cols[1].metric("MRR at risk", ui.usd(at_risk["mrr_usd"].sum()), border=True)
cols[2].metric(
    "Accounts in this list",
    ui.number(counts["accounts"]),
    help=f"{ui.usd(counts['mrr_usd'])} MRR.",
    border=True,
)
cols[3].metric(
    "With an open loop",
    ui.number(counts["open_loops"]),
    help="A detractor answer of the last 90 days not followed up: a CSM can still close it.",
    border=True,
)

chart_data = summary.assign(band=summary["health_band"].map(BANDS))
fig = px.bar(
    chart_data,
    x="segment",
    y="mrr_usd",
    color="band",
    category_orders={"segment": segments, "band": list(BANDS.values())},
    color_discrete_map={
        BANDS["at_risk"]: "#d62728",
        BANDS["watch"]: "#ff7f0e",
        BANDS["healthy"]: "#2ca02c",
    },
    hover_data={"accounts": True},
    title="MRR of active accounts by health band",
    labels={"mrr_usd": "MRR (USD)", "segment": "", "band": ""},
    height=320,
)
fig.update_yaxes(tickprefix="$")
ui.chart(
    fig,
    "MRR of the last complete month per segment, split by health band (all active accounts).",
    "account_health",
    key="health_by_band",
)

LIMIT = 500
worklist = data.query(
    "select account_name, account_id, segment, plan_tier, mrr_usd, tenure_months, "
    "health_score, health_band, tickets_90d, fcr_rate_90d, open_tickets, last_csat_score, "
    "last_nps_score, detractors_not_followed_up_90d, last_ticket_at "
    f"from marts.account_health where {where} "
    f"order by health_score, mrr_usd desc, account_id limit {LIMIT}",
    params,
)
st.subheader("Worklist")
if worklist.empty:
    ui.empty("No active account matches the filters.")
    st.stop()
worklist["health_band"] = worklist["health_band"].map(BANDS)
st.dataframe(
    worklist,
    hide_index=True,
    key="health_worklist",
    column_config={
        "account_name": "Account",
        "account_id": "ID",
        "segment": "Segment",
        "plan_tier": "Plan",
        "mrr_usd": st.column_config.NumberColumn("MRR", format="dollar"),
        "tenure_months": st.column_config.NumberColumn("Tenure (months)"),
        "health_score": st.column_config.ProgressColumn(
            "Health", min_value=0, max_value=100, format="%.0f"
        ),
        "health_band": "Band",
        "tickets_90d": "Tickets 90d",
        "fcr_rate_90d": st.column_config.NumberColumn("FCR 90d", format="percent"),
        "open_tickets": "Open tickets",
        "last_csat_score": "Last CSAT",
        "last_nps_score": "Last NPS",
        "detractors_not_followed_up_90d": "Open detractor loops",
        "last_ticket_at": st.column_config.DatetimeColumn("Last ticket", format="YYYY-MM-DD"),
    },
)
shown = len(worklist)
st.caption(
    f"{shown if shown < LIMIT else f'The first {LIMIT}'} of {ui.number(counts['accounts'])} "
    "accounts, lowest health score first (ties: larger MRR first). Reads `marts.account_health`."
)
