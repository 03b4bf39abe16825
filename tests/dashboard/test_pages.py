"""Every dashboard page run with Streamlit's AppTest on a real serving file: no exception,
its heading and the publish in the sidebar, a captioned chart, and the headline numbers a
CX leader reads equal to the marts (computed here with DuckDB)."""

from __future__ import annotations

import base64
import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.views import BY_SLUG, PAGES
from tests.dashboard.conftest import APP, Marts

pytestmark = pytest.mark.usefixtures("on_serving_file")


def open_page(slug: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    if slug != PAGES[0].slug:
        at.switch_page(BY_SLUG[slug].script).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def deltas(at: AppTest) -> dict[str, str]:
    return {m.label: m.proto.delta for m in at.metric}


def figures(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def values(array: list | dict) -> list:
    """A trace's x or y: a list, or Plotly's typed array {dtype, bdata}."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)


def trace_names(figure: dict) -> set[str]:
    return {trace.get("name") for trace in figure["data"]}


def pct(value: float, digits: int = 1) -> str:
    return f"{value * 100:.{digits}f}%"


def usd(value: float) -> str:
    return f"${value:,.0f}"


def month_label(value: date | pd.Timestamp) -> str:
    return pd.Timestamp(value).strftime("%b %Y")


@pytest.mark.parametrize("slug", [page.slug for page in PAGES])
def test_page_renders_with_publish_and_captioned_charts(slug: str, marts: Marts) -> None:
    at = open_page(slug)
    page = BY_SLUG[slug]
    assert [t.value for t in at.title] == [page.title]
    publish_id, as_of = marts.one(
        "select publish_id, as_of_date from meta.publish_log order by publish_id desc limit 1"
    )
    sidebar = " ".join(m.value for m in at.sidebar.markdown)
    assert f"Publish #{publish_id}" in sidebar
    assert f"as of {as_of:%d %b %Y}" in sidebar
    captions = [c.value for c in at.caption]
    charts = at.get("plotly_chart")
    if page.has_chart:
        assert charts, f"{slug} shows no chart"
        assert all(figure["data"] for figure in figures(at)), f"{slug} has an empty chart"
    # every chart and table says which mart it reads
    assert sum("Reads `marts." in c for c in captions) >= len(charts) + len(at.dataframe)
    assert not at.warning or slug == "friction"  # friction warns of unowned touchpoints


def test_every_page_script_is_in_the_navigation() -> None:
    scripts = {p.name for p in (APP.parent / "views").glob("*.py")} - {"__init__.py"}
    assert scripts == {f"{page.slug}.py" for page in PAGES}
    assert len({page.title for page in PAGES}) == len(PAGES)
    # a pages/ folder beside app.py would switch Streamlit to its legacy multipage mode,
    # which opens /<page> without running app.py (no publish box, its own navigation)
    assert not (APP.parent / "pages").exists()


def test_overview_kpis_are_the_latest_quarter(marts: Marts) -> None:
    at = open_page("overview")
    review = marts.df(
        "select metric, value, change from marts.cx_quarterly_review "
        "where quarter = (select max(quarter) from marts.cx_quarterly_review)"
    ).set_index("metric")
    shown = metrics(at)
    fcr = review.loc["fcr_rate"]
    assert shown["First-contact resolution"] == pct(fcr["value"])
    assert deltas(at)["First-contact resolution"] == f"{fcr['change'] * 100:+.1f} pp"
    assert shown["Logo churn (monthly)"] == pct(review.at["logo_churn_rate", "value"])
    assert shown["CSAT (1-5)"] == f"{review.at['csat_average', 'value']:.2f}"
    assert shown["NPS"] == f"{review.at['nps', 'value'] * 100:+.1f}"
    assert (
        shown["Median resolution time"] == f"{review.at['median_resolution_hours', 'value']:.1f} h"
    )
    assert shown["6-month LTV per account"] == usd(review.at["ltv_6m_per_account_usd", "value"])
    quarters = marts.one("select count(distinct quarter) from marts.cx_quarterly_review")
    trend = figures(at)[0]
    assert len(trend["data"]) == 8
    assert all(len(values(trace["x"])) == quarters for trace in trend["data"])


def test_overview_quarter_filter(marts: Marts) -> None:
    at = open_page("overview")
    quarter, value = marts.one(
        "select quarter, value from marts.cx_quarterly_review where metric = 'fcr_rate' "
        "order by quarter desc limit 1 offset 1"
    )
    at.selectbox[0].select(quarter).run()
    assert metrics(at)["First-contact resolution"] == pct(value)


def test_quarterly_review_table_has_the_changes(marts: Marts) -> None:
    at = open_page("quarterly_review")
    latest, value, previous, change = marts.one(
        "select quarter, value, previous_quarter_value, change from marts.cx_quarterly_review "
        "where metric = 'fcr_rate' order by quarter desc limit 1"
    )
    table = at.dataframe[0].value.set_index("Metric")
    label = f"Q{(latest.month - 1) // 3 + 1} {latest.year}"
    assert table.at["fcr_rate", label] == pct(value)
    assert table.at["fcr_rate", "Previous quarter"] == pct(previous)
    assert table.at["fcr_rate", "Change"] == f"{change * 100:+.1f} pp"
    assert table.at["fcr_rate", "Direction"] == ("▲ better" if change > 0 else "▼ worse")
    churn_change = marts.one(
        "select change from marts.cx_quarterly_review where metric = 'logo_churn_rate' "
        "order by quarter desc limit 1"
    )
    # lower churn is better
    assert table.at["logo_churn_rate", "Direction"] == (
        "▲ better" if churn_change < 0 else "▼ worse"
    )
    history = at.dataframe[1].value
    assert len(history.columns) == marts.one(
        "select count(distinct quarter) from marts.cx_quarterly_review"
    )


def test_churn_headline_is_the_last_month_of_all(marts: Marts) -> None:
    at = open_page("churn")
    month, rate = marts.one(
        "select month, logo_churn_rate from marts.churn_by_segment where dimension = 'all' "
        "order by month desc limit 1"
    )
    assert metrics(at)[f"Logo churn, {month_label(month)}"] == pct(rate, 2)
    by_segment, by_support = figures(at)[:2]
    segments = set(
        marts.df(
            "select distinct dimension_value from marts.churn_by_segment "
            "where dimension = 'segment' and month >= "
            "(select max(month) - interval 11 month from marts.churn_by_segment)"
        )["dimension_value"]
    )
    assert trace_names(by_segment) == segments
    assert trace_names(by_support) == {
        "All tickets resolved at first contact",
        "Unresolved or not first-contact",
        "No tickets",
    }
    # the support-experience line ends at the mart's last month and value
    all_fcr = next(
        t for t in by_support["data"] if t["name"] == "All tickets resolved at first contact"
    )
    expected = marts.one(
        "select logo_churn_rate from marts.churn_by_support_experience "
        "where support_experience = 'all_fcr' order by month desc limit 1"
    )
    assert values(all_fcr["y"])[-1] == pytest.approx(expected)


def test_churn_dimension_filter(marts: Marts) -> None:
    at = open_page("churn")
    at.selectbox[0].select("tenure_band").run()
    bands = set(
        marts.df(
            "select distinct dimension_value from marts.churn_by_segment "
            "where dimension = 'tenure_band' and month >= "
            "(select max(month) - interval 11 month from marts.churn_by_segment)"
        )["dimension_value"]
    )
    assert trace_names(figures(at)[0]) == bands


def test_support_headline_is_the_last_month(marts: Marts) -> None:
    at = open_page("support")
    month, fcr, reply, solved, reopened = marts.one(
        "select month, fcr_rate, median_first_reply_minutes, solved_tickets, reopened_tickets "
        "from marts.first_contact_resolution where dimension = 'all' order by month desc limit 1"
    )
    shown = metrics(at)
    assert shown[f"FCR, {month_label(month)}"] == pct(fcr)
    assert shown["Median first reply"] == f"{reply:,.0f} min"
    assert shown["Reopened"] == pct(reopened / solved)


def test_support_team_breakdown_and_filter(marts: Marts) -> None:
    at = open_page("support")
    at.selectbox[0].select("team").run()
    teams = at.multiselect[0]
    assert teams.label == "Teams"
    keep = sorted(teams.value)[:2]
    teams.set_value(keep).run()
    pooled = figures(at)[0]
    assert set(values(pooled["data"][0]["y"])) == set(keep)
    start = marts.one("select max(month) - interval 11 month from marts.first_contact_resolution")
    expected = marts.df(
        "select dimension_value, sum(fcr_tickets) / sum(solved_tickets) as rate "
        "from marts.first_contact_resolution where dimension = 'team' and month >= ? "
        "group by all",
        [start],
    ).set_index("dimension_value")["rate"]
    bars = pooled["data"][0]
    shown = dict(zip(values(bars["y"]), values(bars["x"]), strict=True))
    for team in keep:
        assert shown[team] == pytest.approx(expected[team])


def test_friction_fix_first_is_rank_one_with_its_owner(marts: Marts) -> None:
    at = open_page("friction")
    top = marts.df(
        "select touchpoint, owning_team, friction_tickets, fcr_rate, month "
        "from marts.touchpoint_scorecard where friction_rank = 1 "
        "order by month desc limit 1"
    ).iloc[0]
    text = [m.value for m in at.markdown]
    assert f"### {top['touchpoint']}" in text
    assert any(f"owned by **{top['owning_team']}**" in t for t in text)
    assert metrics(at)["Friction tickets"] == f"{top['friction_tickets']:,}"
    ranking = figures(at)[0]
    assert top["touchpoint"] in {y for trace in ranking["data"] for y in values(trace["y"])}
    table = at.dataframe[0].value
    assert table.iloc[0]["touchpoint"] == top["touchpoint"]
    assert table.iloc[0]["owning_team"] == top["owning_team"]


def test_friction_team_filter_moves_the_fix_first(marts: Marts) -> None:
    at = open_page("friction")
    top_team = marts.one(
        "select owning_team from marts.touchpoint_scorecard where friction_rank = 1 "
        "order by month desc limit 1"
    )
    teams = at.multiselect[0]
    teams.set_value([t for t in teams.value if t != top_team]).run()
    expected = marts.one(
        "select touchpoint from marts.touchpoint_scorecard "
        "where month = (select max(month) from marts.touchpoint_scorecard) "
        "and owning_team <> ? order by friction_rank limit 1",
        [top_team],
    )
    assert f"### {expected}" in [m.value for m in at.markdown]


def test_friction_table_has_sla_attainment(marts: Marts) -> None:
    at = open_page("friction")
    table = at.dataframe[0].value
    top = marts.one(
        "select first_reply_sla_attainment from marts.touchpoint_scorecard "
        "where month = (select max(month) from marts.touchpoint_scorecard) and friction_rank = 1"
    )
    assert table.iloc[0]["first_reply_sla_attainment"] == pytest.approx(top)
    assert "resolution_sla_attainment" in table.columns


def test_sla_headline_is_the_last_month_of_all(marts: Marts) -> None:
    at = open_page("sla")
    month, first_reply, resolution, agent = marts.one(
        "select month, first_reply_sla_attainment, resolution_sla_attainment, "
        "median_awaiting_agent_business_minutes from marts.support_sla "
        "where dimension = 'all' order by month desc limit 1"
    )
    shown = metrics(at)
    assert shown[f"First reply within SLA, {month_label(month)}"] == pct(first_reply)
    assert shown["Resolved within SLA"] == pct(resolution)
    assert shown["Median wait on the agent"] == f"{agent:,.0f} min"
    observed, gap = marts.one(
        "select month, breach_churn_gap_90d from marts.support_sla where dimension = 'all' "
        "and breach_churn_gap_90d is not null order by month desc limit 1"
    )
    assert shown[f"Churn after a breach, {month_label(observed)}"] == f"{gap * 100:+.1f} pp"
    assert len(figures(at)) == 5


def test_sla_dimension_filter(marts: Marts) -> None:
    at = open_page("sla")
    at.selectbox[0].select("priority").run()
    table = at.dataframe[0].value.set_index("dimension_value")
    expected = marts.df(
        "select dimension_value, sum(tickets) as tickets from marts.support_sla "
        "where dimension = 'priority' and month > (select max(month) from marts.support_sla) "
        "- interval 12 month group by 1"
    ).set_index("dimension_value")
    assert set(table.index) == set(expected.index)
    assert table["tickets"].to_dict() == expected["tickets"].to_dict()


def test_feedback_loop_closed_loop_and_churn(marts: Marts) -> None:
    at = open_page("feedback_loop")
    month, followed, detractors = marts.one(
        "select month, sum(detractors_followed_up), sum(detractors) from marts.feedback_loop "
        "where dimension = 'all' group by month order by month desc limit 1"
    )
    shown = metrics(at)
    assert shown[f"Closed-loop rate, {month_label(month)}"] == pct(followed / detractors)
    churned, accounts, nf_churned, nf_accounts = marts.one(
        "select sum(followed_up_accounts_churned), sum(followed_up_accounts), "
        "sum(not_followed_up_accounts_churned), sum(not_followed_up_accounts) "
        "from marts.feedback_loop where dimension = 'all' "
        "and month > (select max(month) - interval 12 month from marts.feedback_loop)"
    )
    assert shown["90-day churn, followed up"] == pct(churned / accounts)
    assert shown["90-day churn, not followed up"] == pct(nf_churned / nf_accounts)


def test_roles_strongest_signal(marts: Marts) -> None:
    at = open_page("roles")
    role, gap = marts.one(
        "select contact_role, renewal_rate_gap from marts.experience_by_role "
        "where quarter = (select max(quarter) from marts.experience_by_role "
        "where renewal_rate_gap is not null) and contact_role <> 'unknown' "
        "and renewal_rate_gap is not null order by renewal_rate_gap desc limit 1"
    )
    shown = metrics(at)
    assert shown["Strongest churn signal"] == role.replace("_", " ").capitalize()
    assert shown["Renewal gap"] == f"{gap * 100:+.1f} pp"


def test_cohorts_onboarding_headline_and_curves(marts: Marts) -> None:
    at = open_page("cohorts")
    start = marts.one("select max(cohort_month) - interval 23 month from marts.cohort_ltv")
    smooth = marts.df(
        "select dimension_value, sum(active_accounts) / sum(cohort_accounts) as retention, "
        "sum(cumulative_revenue_usd) / sum(cohort_accounts) as ltv from marts.cohort_ltv "
        "where dimension = 'onboarding_experience' and months_since_start = 5 "
        "and cohort_month >= ? group by all",
        [start],
    ).set_index("dimension_value")
    shown = metrics(at)
    assert shown["Smooth · retained at 6 mo"] == pct(smooth.at["smooth", "retention"])
    assert shown["Friction · LTV at 6 mo"] == usd(smooth.at["friction", "ltv"])
    retention = figures(at)[0]
    assert trace_names(retention) == {"smooth", "friction", "no onboarding tickets"}


def test_revenue_tenure_and_payback(marts: Marts) -> None:
    at = open_page("revenue")
    mrr, top_share = marts.one(
        "select mrr_usd, top_decile_mrr_share from marts.revenue_by_tenure "
        "where tenure_band = 'all' order by month desc limit 1"
    )
    shown = metrics(at)
    month = marts.one("select max(month) from marts.revenue_by_tenure")
    assert shown[f"MRR, {month_label(month)}"] == usd(mrr)
    assert shown["Top 10% of accounts hold"] == pct(top_share)
    payback = figures(at)[2]
    channels = set(values(payback["data"][0]["x"]))
    assert "unknown" not in channels  # no attributable spend: off by default
    assert channels <= set(
        marts.df("select distinct acquisition_channel from marts.cac_payback_by_channel")[
            "acquisition_channel"
        ]
    )


def test_fcr_value_default_scenario(marts: Marts) -> None:
    at = open_page("fcr_value")
    revenue, mrr, avoided = marts.one(
        "select retained_revenue_12m_usd, retained_mrr_usd, churned_accounts_avoided_per_year "
        "from marts.cx_improvement_value where is_default_scenario"
    )
    shown = metrics(at)
    assert shown["Revenue kept (12 mo)"] == usd(revenue)
    assert shown["MRR kept after 1 yr"] == usd(mrr)
    assert shown["Churn avoided / yr"] == f"{avoided:,.1f}"
    assert any("not a proven cause" in i.value for i in at.info)
    biggest = marts.one("select max(fcr_improvement) from marts.cx_improvement_value")
    at.selectbox[0].select(biggest).run()
    assert metrics(at)["Revenue kept (12 mo)"] == usd(
        marts.one(
            "select retained_revenue_12m_usd from marts.cx_improvement_value "
            "where fcr_improvement = ?",
            [biggest],
        )
    )


def test_account_health_worklist(marts: Marts) -> None:
    at = open_page("account_health")
    at_risk = marts.one(
        "select count(*) from marts.account_health where is_active and health_band = 'at_risk'"
    )
    assert metrics(at)["At-risk accounts"] == f"{at_risk:,}"
    worst = marts.df(
        "select account_id, health_score from marts.account_health "
        "where is_active and health_band in ('at_risk', 'watch') "
        "order by health_score, mrr_usd desc, account_id limit 3"
    )
    table = at.dataframe[0].value
    assert list(table["account_id"][:3]) == list(worst["account_id"])
    assert table["health_score"].is_monotonic_increasing
    assert not {"email", "full_name", "comment"} & set(table.columns)
    at.multiselect[0].set_value(["healthy"]).run()
    at.multiselect[1].set_value(["Enterprise"]).run()
    expected = marts.one(
        "select count(*) from marts.account_health "
        "where is_active and health_band = 'healthy' and segment = 'Enterprise'"
    )
    assert metrics(at)["Accounts in this list"] == f"{expected:,}"
    assert set(at.dataframe[0].value["segment"]) == {"Enterprise"}


def test_missing_serving_file_says_how_to_create_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CX_SERVING_PATH", str(tmp_path / "nowhere.duckdb"))
    for slug in ("overview", "friction"):
        at = AppTest.from_file(str(APP), default_timeout=60)
        at.run()
        if slug != "overview":
            at.switch_page(BY_SLUG[slug].script).run()
        assert not at.exception
        assert any("No serving file" in w.value and "make run" in w.value for w in at.warning)
        assert [c.value for c in at.code] == ["make run"]
        assert not at.get("plotly_chart")


def test_unreadable_serving_file_is_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "serving.duckdb"
    broken.write_bytes(b"not a database")
    monkeypatch.setenv("CX_SERVING_PATH", str(broken))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    assert not at.exception
    assert any("Cannot open the serving file" in w.value for w in at.warning)
