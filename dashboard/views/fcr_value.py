"""FCR value: what a better first-contact resolution is worth in retained revenue."""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from dashboard import data, ui

ui.page_header("fcr_value")

value = data.query("select * from marts.cx_improvement_value order by fcr_improvement")
if value.empty:
    ui.empty("marts.cx_improvement_value has no scenario yet.")
    st.stop()

improvements = list(value["fcr_improvement"])
default = next((i for i, d in enumerate(value["is_default_scenario"]) if d), 0)
improvement = st.selectbox(
    "FCR improvement scenario",
    improvements,
    index=default,
    format_func=lambda x: (
        f"FCR {ui.TIMES} {1 + x:.2f} (+{x * 100:.0f}% relative)"
        + (
            " · plan default"
            if bool(value.loc[value["fcr_improvement"] == x, "is_default_scenario"].iloc[0])
            else ""
        )
    ),
)
row = value[value["fcr_improvement"] == improvement].iloc[0]
window = (
    ui.month_label(row["window_start_month"]) + ui.RANGE + ui.month_label(row["window_end_month"])
)

cols = st.columns(4)
cols[0].metric(
    "Revenue kept (12 mo)",
    ui.usd(row["retained_revenue_12m_usd"]),
    help=f"Retained MRR {ui.TIMES} 6.5: saves spread evenly over the year pay 6.5 of 12 "
    "months on average.",
    border=True,
)
cols[1].metric(
    "MRR kept after 1 yr",
    ui.usd(row["retained_mrr_usd"]),
    help=f"Churned accounts avoided {ui.TIMES} the MRR a churning non-FCR account takes with it "
    f"({ui.usd(row['mrr_per_churned_account_usd'])}).",
    border=True,
)
cols[2].metric(
    "Churn avoided / yr",
    ui.number(row["churned_accounts_avoided_per_year"], 1),
    help="Churned accounts a year the scenario avoids.",
    border=True,
)
cols[3].metric(
    "Accounts moved / mo",
    ui.number(row["accounts_moved_per_month"], 1),
    help="Accounts a month that would have all their tickets resolved at first contact "
    "instead of not.",
    border=True,
)
st.info(
    "An association, not a proven cause: accounts whose tickets were all resolved at first "
    "contact differ in other ways too (segment, product use, ticket mix). Read these figures "
    "as an order of magnitude for planning, not a forecast.",
    icon=":material/info:",
)

c1, c2 = st.columns(2)
with c1:
    scenarios = value.assign(
        scenario=value["fcr_improvement"].map(lambda x: f"+{x * 100:.0f}%"),
        kind=value["is_default_scenario"].map({True: "plan default", False: "scenario"}),
    )
    fig = px.bar(
        scenarios,
        x="scenario",
        y="retained_revenue_12m_usd",
        color="kind",
        category_orders={"scenario": list(scenarios["scenario"])},  # by improvement
        text=scenarios["retained_revenue_12m_usd"].map(ui.usd),
        title="Revenue kept over 12 months per FCR scenario",
        labels={
            "retained_revenue_12m_usd": "USD",
            "scenario": "relative FCR improvement",
            "kind": "",
        },
    )
    fig.update_yaxes(tickprefix="$")
    fig.update_xaxes(type="category")
    ui.chart(
        fig,
        "12-month revenue of the churn a relative FCR improvement would avoid, per scenario.",
        "cx_improvement_value",
        key="fcr_value_scenarios",
    )
with c2:
    baseline = [
        {
            "group": "all tickets FCR",
            "rate": row["all_fcr_churn_rate"],
            "account_months": row["all_fcr_account_months"],
        },
        {
            "group": "unresolved or not FCR",
            "rate": row["non_fcr_churn_rate"],
            "account_months": row["non_fcr_account_months"],
        },
    ]
    fig = px.bar(
        baseline,
        x="group",
        y="rate",
        text=[ui.pct(b["rate"], 2) for b in baseline],
        hover_data={"account_months": True},
        title=f"Monthly churn by support experience, {window}",
        labels={"rate": "monthly logo churn", "group": ""},
    )
    fig.update_yaxes(tickformat=".1%")
    ui.chart(
        fig,
        f"The baseline the model rests on: a gap of {ui.pp(row['churn_rate_gap'], 2)} a month "
        "between accounts whose recent tickets were all resolved at first contact and the rest.",
        "cx_improvement_value",
        key="fcr_value_baseline",
    )

st.subheader("How the figure is built")
st.markdown(
    f"""
1. Baseline over {window} ({int(row["months_in_window"])} months):
   {ui.number(row["all_fcr_account_months"])} account-months with all tickets FCR churned at
   {ui.pct(row["all_fcr_churn_rate"], 2)} a month, {ui.number(row["non_fcr_account_months"])}
   with unresolved or non-FCR tickets at {ui.pct(row["non_fcr_churn_rate"], 2)}.
2. +{improvement * 100:.0f}% FCR moves {ui.number(row["accounts_moved_per_month"], 1)} accounts a
   month to the all-FCR experience.
3. At the gap of {ui.pp(row["churn_rate_gap"], 2)} a month that avoids
   {ui.number(row["churned_accounts_avoided_per_year"], 1)} churned accounts a year,
   {ui.usd(row["retained_mrr_usd"])} of MRR, {ui.usd(row["retained_revenue_12m_usd"])} of revenue
   over the 12 months.
"""
)
