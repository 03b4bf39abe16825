"""Revenue: concentration by tenure, and CAC payback by acquisition channel."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from dashboard import data, ui

ui.page_header("revenue")

BANDS = ["0-2m", "3-11m", "12-23m", "24m+", "not_yet_active"]
tenure = data.query(
    "select month, tenure_band, active_accounts, mrr_usd, mrr_share, net_revenue_usd, "
    "net_revenue_share, top_decile_accounts, top_decile_mrr_usd, top_decile_mrr_share "
    "from marts.revenue_by_tenure order by month"
)
payback = data.query(
    "select cohort_month, acquisition_channel, spend_usd, new_accounts, cac_usd, "
    "starting_mrr_usd, months_observed, payback_months, mrr_payback_months, "
    "active_accounts_12m, logo_retention_12m, cumulative_net_revenue_per_account_usd "
    "from marts.cac_payback_by_channel order by cohort_month"
)
if tenure.empty:
    ui.empty("marts.revenue_by_tenure has no month yet.")
    st.stop()

st.subheader("Revenue by tenure")
months = sorted(ui.as_dates(tenure["month"]), reverse=True)
month = st.selectbox("Month", months, index=0, format_func=ui.month_label)
chosen = tenure[tenure["month"] == pd.Timestamp(month)].set_index("tenure_band")
total = chosen.loc["all"]
bands = chosen.drop(index="all").reindex([b for b in BANDS if b in chosen.index])
largest = bands["mrr_share"].idxmax()

cols = st.columns(4)
cols[0].metric(f"MRR, {ui.month_label(month)}", ui.usd(total["mrr_usd"]), border=True)
cols[1].metric(
    "Top 10% of accounts hold",
    ui.pct(total["top_decile_mrr_share"]),
    help=f"The {int(total['top_decile_accounts'])} largest of {int(total['active_accounts'])} "
    "active accounts; 10% would mean evenly spread.",
    border=True,
)
cols[2].metric(
    "Largest tenure band by MRR",
    largest,
    help=f"{ui.pct(bands.at[largest, 'mrr_share'])} of MRR.",
    border=True,
)
cols[3].metric("Net revenue in the month", ui.usd(total["net_revenue_usd"]), border=True)

c1, c2 = st.columns(2)
with c1:
    area = tenure[tenure["tenure_band"].isin(BANDS[:4])]
    fig = px.area(
        area,
        x="month",
        y="mrr_usd",
        color="tenure_band",
        category_orders={"tenure_band": BANDS},
        title="MRR by tenure band",
        labels={"mrr_usd": "MRR (USD)", "month": "", "tenure_band": ""},
    )
    fig.update_yaxes(tickprefix="$")
    ui.chart(
        fig,
        "Monthly MRR of active accounts stacked by months since their first active month.",
        "revenue_by_tenure",
        key="revenue_mrr_by_tenure",
    )
with c2:
    shares = bands.reset_index()
    long = pd.concat(
        [
            shares.assign(measure="share of MRR", value=shares["mrr_share"]),
            shares.assign(
                measure="top 10% share within band", value=shares["top_decile_mrr_share"]
            ),
        ]
    )
    long = long[long["value"].notna()]
    fig = px.bar(
        long,
        x="tenure_band",
        y="value",
        color="measure",
        barmode="group",
        text=long["value"].map(lambda v: ui.pct(v, 0)),
        category_orders={"tenure_band": BANDS},
        title=f"Concentration by tenure, {ui.month_label(month)}",
        labels={"value": "", "tenure_band": "", "measure": ""},
    )
    fig.update_yaxes(tickformat=".0%")
    ui.chart(
        fig,
        "Each band's share of MRR, and the share of the band's MRR its largest 10% of accounts "
        "hold.",
        "revenue_by_tenure",
        key="revenue_concentration",
    )

st.subheader("CAC payback by channel")
if payback.empty:
    ui.empty("marts.cac_payback_by_channel has no cohort yet.")
    st.stop()
channels = sorted(c for c in payback["acquisition_channel"].unique() if c != "all")
f1, f2 = st.columns([2, 2])
with f1:
    start, end = ui.month_range(
        ui.as_dates(payback["cohort_month"]),
        key="payback_months",
        default_months=24,
        label="Cohort months",
    )
picked = f2.multiselect(
    "Channels",
    channels,
    default=[c for c in channels if c != "unknown"],
    help="`unknown` has no attributable spend, so its CAC of 0 says nothing.",
)
cohorts = payback[
    payback["cohort_month"].between(pd.Timestamp(start), pd.Timestamp(end))
    & payback["acquisition_channel"].isin(picked)
]
if cohorts.empty:
    ui.empty("No cohort of the chosen channels in the chosen months.")
    st.stop()

per_channel = cohorts.groupby("acquisition_channel").agg(
    spend_usd=("spend_usd", "sum"),
    new_accounts=("new_accounts", "sum"),
    cohorts=("cohort_month", "nunique"),
    paid_back=("payback_months", "count"),
    median_payback=("payback_months", "median"),
)
observed_12m = cohorts[cohorts["active_accounts_12m"].notna()]
retained = observed_12m.groupby("acquisition_channel")[
    ["active_accounts_12m", "new_accounts"]
].sum()
per_channel["cac_usd"] = per_channel["spend_usd"] / per_channel["new_accounts"]
per_channel["retention_12m"] = retained["active_accounts_12m"] / retained["new_accounts"]
per_channel = per_channel.reset_index()

c3, c4 = st.columns(2)
with c3:
    ordered = per_channel.sort_values("median_payback")
    fig = px.bar(
        ordered,
        x="acquisition_channel",
        y="median_payback",
        text=ordered.apply(
            lambda r: f"{ui.number(r['median_payback'], 0)} mo · {r['paid_back']}/{r['cohorts']}",
            axis=1,
        ),
        hover_data={"cac_usd": ":,.0f", "new_accounts": True},
        title="Observed CAC payback (median months)",
        labels={"median_payback": "months to pay back CAC", "acquisition_channel": ""},
    )
    ui.chart(
        fig,
        "Median months until a cohort's net revenue per account covered its CAC, over the "
        "chosen cohorts that paid back (label: paid back / cohorts).",
        "cac_payback_by_channel",
        key="revenue_payback",
    )
with c4:
    scatter = per_channel[per_channel["retention_12m"].notna() & (per_channel["new_accounts"] > 0)]
    if scatter.empty:
        ui.empty("No chosen cohort is 12 months old yet.")
    else:
        fig = px.scatter(
            scatter,
            x="cac_usd",
            y="retention_12m",
            size="new_accounts",
            color="acquisition_channel",
            text="acquisition_channel",
            title="CAC vs 12-month logo retention",
            labels={
                "cac_usd": "CAC (USD per new account)",
                "retention_12m": "still active after 12 months",
                "acquisition_channel": "",
            },
        )
        fig.update_traces(textposition="top center")
        fig.update_xaxes(tickprefix="$")
        fig.update_yaxes(tickformat=".0%")
        fig.update_layout(showlegend=False)
        ui.chart(
            fig,
            "Spend / new accounts per channel against the share of them active 12 months later "
            "(cohorts at least 12 months old; bubble = new accounts): a quick payback on "
            "accounts that leave is worth less.",
            "cac_payback_by_channel",
            key="revenue_cac_retention",
        )

grid = cohorts.pivot_table(
    index="acquisition_channel", columns="cohort_month", values="payback_months", aggfunc="first"
)
fig = px.imshow(
    grid.to_numpy(dtype=float),
    x=[ui.month_label(m) for m in grid.columns],
    y=list(grid.index),
    color_continuous_scale="RdYlGn_r",
    aspect="auto",
    text_auto=".0f",
    labels={"x": "cohort", "y": "", "color": "months"},
    title="Payback months per cohort (blank: not paid back yet)",
)
ui.chart(
    fig,
    "Months from the cohort month until net revenue per account reached CAC, per channel and "
    "cohort.",
    "cac_payback_by_channel",
    key="revenue_payback_grid",
)
