"""Overview: the CX plan's behavioural KPIs, this quarter against the previous one."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from dashboard import data, ui

ui.page_header("overview")

review = data.query(
    "select quarter, metric, unit, higher_is_better, value, previous_quarter_value, change "
    "from marts.cx_quarterly_review order by quarter, metric"
)
if review.empty:
    ui.empty("marts.cx_quarterly_review has no complete quarter yet.")
    st.stop()

quarters = sorted(ui.as_dates(review["quarter"]), reverse=True)
quarter = st.selectbox("Quarter", quarters, index=0, format_func=ui.quarter_label)
current = review[review["quarter"] == pd.Timestamp(quarter)].set_index("metric")

known = [m for m in ui.METRIC_ORDER if m in current.index]
improved = sum(
    1
    for m in known
    if pd.notna(current.at[m, "change"])
    and (current.at[m, "change"] > 0) == bool(current.at[m, "higher_is_better"])
    and current.at[m, "change"] != 0
)
with_change = sum(1 for m in known if pd.notna(current.at[m, "change"]))
if with_change:
    st.markdown(
        f"**{improved} of {with_change}** KPIs moved the right way in "
        f"{ui.quarter_label(quarter)} against the previous quarter."
    )

columns = st.columns(4)
for i, metric in enumerate(known):
    row = current.loc[metric]
    previous = row["previous_quarter_value"]
    columns[i % 4].metric(
        ui.METRIC_LABELS[metric],
        ui.metric_value(row["unit"], row["value"]),
        delta=ui.metric_change(row["unit"], row["change"]),
        delta_color="normal" if bool(row["higher_is_better"]) else "inverse",
        help=(
            f"Previous quarter: {ui.metric_value(row['unit'], previous)}. "
            + ("Higher is better." if bool(row["higher_is_better"]) else "Lower is better.")
        ),
        border=True,
    )

trend = review[review["metric"].isin(known)].copy()
scale = trend["unit"].isin(["fraction"]) | trend["unit"].str.startswith("nps")
trend["shown"] = trend["value"].where(~scale, trend["value"] * 100)
trend["kpi"] = trend["metric"].map(ui.METRIC_LABELS) + trend["unit"].map(
    lambda u: " (%)" if u == "fraction" else " (pts)" if u.startswith("nps") else ""
)
trend["quarter_label"] = trend["quarter"].map(ui.quarter_label)
fig = px.line(
    trend,
    x="quarter",
    y="shown",
    facet_col="kpi",
    facet_col_wrap=4,
    facet_col_spacing=0.06,
    facet_row_spacing=0.12,
    markers=True,
    category_orders={
        "kpi": list(trend.drop_duplicates("metric").set_index("metric").loc[known, "kpi"])
    },
    hover_data={"quarter_label": True, "quarter": False},
    height=520,
)
fig.update_yaxes(matches=None, showticklabels=True, title_text="")
fig.update_xaxes(title_text="")
fig.for_each_annotation(lambda a: a.update(text=a.text.split("=", 1)[-1]))
fig.add_vline(x=pd.Timestamp(quarter), line_dash="dot", line_color="grey")
ui.chart(
    fig,
    "Each KPI per quarter (dotted line: the chosen quarter); churn and resolution time "
    "should fall, the others rise.",
    "cx_quarterly_review",
    key="overview_trend",
)
