"""Shared page furniture: headings, the publish box, filters, number formats, charts."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.data import Publish, ServingFileError, serving_path
from dashboard.views import BY_SLUG

# ---------------------------------------------------------------------------- formats

NA = "\u2013"  # an en dash for a missing value
RANGE = " \u2013 "  # between the ends of a range
TIMES = "\u00d7"


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def pct(value: float | None, digits: int = 1) -> str:
    """0.1234 -> '12.3%'."""
    return NA if _missing(value) else f"{value * 100:.{digits}f}%"


def pp(value: float | None, digits: int = 1) -> str:
    """A change of a rate in percentage points: 0.012 -> '+1.2 pp'."""
    return NA if _missing(value) else f"{value * 100:+.{digits}f} pp"


def usd(value: float | None) -> str:
    """12345.6 -> '$12,346'; -5 -> '-$5'."""
    if _missing(value):
        return NA
    return f"-${-value:,.0f}" if value < 0 else f"${value:,.0f}"


def usd_change(value: float | None) -> str:
    if _missing(value):
        return NA
    return f"+{usd(value)}" if value >= 0 else usd(value)


def number(value: float | None, digits: int = 0) -> str:
    return NA if _missing(value) else f"{value:,.{digits}f}"


def month_label(value: date | pd.Timestamp) -> str:
    return pd.Timestamp(value).strftime("%b %Y")


def quarter_label(value: date | pd.Timestamp) -> str:
    ts = pd.Timestamp(value)
    return f"Q{(ts.month - 1) // 3 + 1} {ts.year}"


# cx_quarterly_review units: fraction, hours, score 1-5, nps -1..1, usd
def metric_value(unit: str, value: float | None) -> str:
    if unit == "fraction":
        return pct(value)
    if unit == "hours":
        return NA if _missing(value) else f"{value:.1f} h"
    if unit.startswith("score"):
        return NA if _missing(value) else f"{value:.2f}"
    if unit.startswith("nps"):
        return NA if _missing(value) else f"{value * 100:+.1f}"
    if unit == "usd":
        return usd(value)
    return number(value, 2)


def metric_change(unit: str, change: float | None) -> str | None:
    if _missing(change):
        return None
    if unit == "fraction":
        return pp(change)
    if unit == "hours":
        return f"{change:+.1f} h"
    if unit.startswith("score"):
        return f"{change:+.2f}"
    if unit.startswith("nps"):
        return f"{change * 100:+.1f} pts"
    if unit == "usd":
        return usd_change(change)
    return f"{change:+.2f}"


METRIC_LABELS = {
    "logo_churn_rate": "Logo churn (monthly)",
    "net_mrr_retention": "Net MRR retention (monthly)",
    "fcr_rate": "First-contact resolution",
    "median_resolution_hours": "Median resolution time",
    "csat_average": "CSAT (1-5)",
    "nps": "NPS",
    "closed_loop_rate": "Closed loop (≤ 7 days)",
    "ltv_6m_per_account_usd": "6-month LTV per account",
}
METRIC_ORDER = list(METRIC_LABELS)

DIMENSION_LABELS = {
    "segment": "Segment",
    "industry": "Industry",
    "region": "Region",
    "acquisition_channel": "Acquisition channel",
    "plan_tier": "Plan tier",
    "tenure_band": "Tenure",
    "channel": "Channel",
    "category": "Category",
    "team": "Team",
    "requester_role": "Requester role",
    "onboarding_experience": "Onboarding experience",
}

SUPPORT_EXPERIENCE_LABELS = {
    "all_fcr": "All tickets resolved at first contact",
    "had_unresolved_or_non_fcr": "Unresolved or not first-contact",
    "no_tickets": "No tickets",
}

# ---------------------------------------------------------------------------- page furniture


def page_header(slug: str) -> None:
    page = BY_SLUG[slug]
    st.title(page.title)
    st.markdown(page.question)


def sidebar_publish(publish: Publish) -> None:
    with st.sidebar:
        st.markdown(f"**Publish #{publish.publish_id}** · as of {publish.as_of_date:%d %b %Y}")
        if publish.action == "rollback":
            st.caption(f"A rollback: serves publish #{publish.restores} again.")
        st.caption(
            f"Data through {month_label(publish.last_complete_month)} (last complete month). "
            f"Published {publish.published_at:%Y-%m-%d %H:%M} UTC"
            + (f", git {publish.git_sha[:10]}" if publish.git_sha else "")
            + "."
        )


def serving_file_message(error: ServingFileError) -> None:
    st.title("CX dashboard")
    st.warning(f"{error}\n\n{error.hint}", icon=":material/database:")
    st.markdown(
        "The dashboard reads only the published serving file "
        f"(`CX_SERVING_PATH`, now `{serving_path()}`). To create it from the sample data:"
    )
    st.code("make run", language="bash")
    st.markdown("Then reload this page.")


def chart(fig: go.Figure, caption: str, mart: str | Sequence[str], key: str) -> None:
    """A Plotly chart with its one-line caption: what it shows and which mart it reads."""
    fig.update_layout(margin={"l": 10, "r": 10, "t": 40, "b": 10}, legend_title_text="")
    # labels on vertical bars: level and above the bar (narrow bars would turn them sideways)
    fig.update_traces(
        textangle=0,
        textposition="outside",
        cliponaxis=False,
        selector=lambda t: t.type == "bar" and t.orientation != "h" and t.text is not None,
    )
    st.plotly_chart(fig, key=key, config={"displaylogo": False})
    marts = [mart] if isinstance(mart, str) else list(mart)
    st.caption(f"{caption} Reads {', '.join(f'`marts.{m}`' for m in marts)}.")


def empty(message: str) -> None:
    st.info(message, icon=":material/filter_alt_off:")


# ---------------------------------------------------------------------------- filters


def month_range(
    months: Sequence[date], key: str, default_months: int = 12, label: str = "Months"
) -> tuple[date, date]:
    """A month-range slider over ``months`` (sorted), by default the last ``default_months``."""
    options = sorted(set(months))
    if not options:
        raise ServingFileError("The marts have no months.", "Refresh with `make run`.")
    if len(options) == 1:
        return options[0], options[0]
    start = options[max(0, len(options) - default_months)]
    chosen = st.select_slider(
        label, options=options, value=(start, options[-1]), format_func=month_label, key=key
    )
    return chosen[0], chosen[1]


@dataclass(frozen=True)
class MonthWindow:
    """The rows of a long-format mart in the chosen months, and its ``all`` series."""

    rows: pd.DataFrame  # every dimension, months start..end
    total: pd.DataFrame  # the dimension = 'all' rows, by month
    last: pd.Series  # the latest month of ``total``
    before: pd.Series | None  # the month before it, if any

    @property
    def month(self) -> str:
        return month_label(self.total.index[-1])

    def delta(self, column: str, fmt: Callable[[float], str]) -> str | None:
        """``fmt`` of the change of ``column`` against the month before (None if unknown)."""
        if self.before is None or pd.isna(self.before[column]) or pd.isna(self.last[column]):
            return None
        return fmt(self.last[column] - self.before[column])


def month_window(frame: pd.DataFrame, start: date, end: date) -> MonthWindow:
    """``frame``'s rows with month in [start, end]; its ``all`` rows give last and before."""
    rows = frame[frame["month"].between(pd.Timestamp(start), pd.Timestamp(end))]
    total = rows[rows["dimension"] == "all"].set_index("month").sort_index()
    before = total.iloc[-2] if len(total) > 1 else None
    return MonthWindow(rows, total, total.iloc[-1], before)


def ordered(values: pd.Series | Sequence[str]) -> list[str]:
    """Distinct dimension values in a stable order for legends: known values, then unknown."""
    distinct = sorted(set(values))
    return [v for v in distinct if v != "unknown"] + [v for v in distinct if v == "unknown"]


def as_dates(series: pd.Series) -> list[date]:
    return [pd.Timestamp(v).date() for v in series.dropna().unique()]
