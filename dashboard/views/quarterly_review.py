"""Quarterly review: every CX metric of a quarter with the previous quarter and the change."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data, ui

ui.page_header("quarterly_review")

review = data.query(
    "select quarter, metric, unit, higher_is_better, value, previous_quarter_value, change "
    "from marts.cx_quarterly_review order by quarter, metric"
)
if review.empty:
    ui.empty("marts.cx_quarterly_review has no complete quarter yet.")
    st.stop()

# the SLA metrics (business hours, marts.support_sla) after the CX plan's KPIs
LABELS = {
    **ui.METRIC_LABELS,
    "first_reply_sla_attainment": "First reply within SLA",
    "resolution_sla_attainment": "Resolved within SLA",
}
ORDER = [*ui.METRIC_ORDER, *(m for m in LABELS if m not in ui.METRIC_ORDER)]

quarters = sorted(ui.as_dates(review["quarter"]), reverse=True)
quarter = st.selectbox("Quarter", quarters, index=0, format_func=ui.quarter_label)
current = review[review["quarter"] == pd.Timestamp(quarter)].copy()
current["order"] = current["metric"].map({m: i for i, m in enumerate(ORDER)})
current = current.sort_values("order")


def direction(row: pd.Series) -> str:
    if pd.isna(row["change"]):
        return "no previous quarter"
    if row["change"] == 0:
        return "= flat"
    good = (row["change"] > 0) == bool(row["higher_is_better"])
    return "▲ better" if good else "▼ worse"


table = pd.DataFrame(
    {
        "KPI": current["metric"].map(LABELS).fillna(current["metric"]),
        ui.quarter_label(quarter): [
            ui.metric_value(u, v) for u, v in zip(current["unit"], current["value"], strict=True)
        ],
        "Previous quarter": [
            ui.metric_value(u, v)
            for u, v in zip(current["unit"], current["previous_quarter_value"], strict=True)
        ],
        "Change": [
            ui.metric_change(u, c) or ui.NA
            for u, c in zip(current["unit"], current["change"], strict=True)
        ],
        "Direction": current.apply(direction, axis=1),
        "Metric": current["metric"],
    }
)
better = int((table["Direction"] == "▲ better").sum())
worse = int((table["Direction"] == "▼ worse").sum())
st.markdown(
    f"**{ui.quarter_label(quarter)}: {better} better, {worse} worse** than the quarter before."
)


def colour(value: str) -> str:
    if value.startswith("▲"):
        return "color: #1a7f37"
    if value.startswith("▼"):
        return "color: #cf222e"
    return ""


st.dataframe(
    table.style.map(colour, subset=["Direction"]),
    hide_index=True,
    key="review_quarter",
)
st.caption(
    "The chosen quarter's CX metrics (rates in %, NPS in points, churn and NRR monthly "
    "pooled over the quarter). Reads `marts.cx_quarterly_review`."
)

st.subheader("All quarters")
history = review.copy()
history["shown"] = [
    ui.metric_value(u, v) for u, v in zip(history["unit"], history["value"], strict=True)
]
history["KPI"] = history["metric"].map(LABELS).fillna(history["metric"])
wide = history.pivot(index="KPI", columns="quarter", values="shown")
wide = wide.reindex([LABELS[m] for m in ORDER if LABELS[m] in wide.index])
wide = wide[sorted(wide.columns, reverse=True)]
wide.columns = [ui.quarter_label(q) for q in wide.columns]
st.dataframe(wide, key="review_history")
st.caption("Every metric per quarter, latest first. Reads `marts.cx_quarterly_review`.")
