"""The dashboard's pages: one script per page in this folder, run by ``st.navigation``.

The folder is not called ``pages/``: Streamlit treats a ``pages/`` folder beside the entry
script as a legacy multipage app, which opens /<page> by running the page script alone
(no app.py: no page config, no publish box, its own navigation).

PAGES is the one list of them: app.py builds the navigation from it, each page takes its
heading and question from it, and the tests walk it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    slug: str  # file views/<slug>.py and URL path /<slug>
    title: str
    icon: str
    section: str
    question: str  # what the page answers, under its heading
    has_chart: bool = True

    @property
    def script(self) -> str:
        return f"views/{self.slug}.py"

    @property
    def url(self) -> str:
        """Path of the page in the app; the default page (the first) is the root."""
        return "" if self is PAGES[0] else self.slug


PAGES: tuple[PageSpec, ...] = (
    PageSpec(
        "overview",
        "CX overview",
        ":material/dashboard:",
        "Overview",
        "Are the CX plan's behavioural KPIs moving the right way against the previous quarter?",
    ),
    PageSpec(
        "quarterly_review",
        "Quarterly CX review",
        ":material/table_chart:",
        "Overview",
        "Every CX metric per quarter, with the previous quarter and the change.",
        has_chart=False,
    ),
    PageSpec(
        "friction",
        "Friction: what to fix first",
        ":material/build:",
        "Fix first",
        "Which touchpoints (ticket category x channel) leave customers unresolved, and which "
        "team owns each?",
    ),
    PageSpec(
        "support",
        "Support performance",
        ":material/support_agent:",
        "Fix first",
        "Where do tickets get resolved at first contact, how fast, and how often do they reopen?",
    ),
    PageSpec(
        "sla",
        "SLA in business hours",
        ":material/timer:",
        "Fix first",
        "Do we reply and resolve within our SLA targets in business hours, where do tickets "
        "wait, and do accounts churn more after a breach?",
    ),
    PageSpec(
        "feedback_loop",
        "Feedback loop",
        ":material/forum:",
        "Fix first",
        "Do we follow up unhappy customers within 7 days, and do the followed-up ones stay?",
    ),
    PageSpec(
        "account_health",
        "Account health worklist",
        ":material/health_and_safety:",
        "Fix first",
        "Which active accounts need attention now? Lowest health score first.",
    ),
    PageSpec(
        "fcr_value",
        "What better FCR is worth",
        ":material/savings:",
        "What it is worth",
        "How much churn and revenue would a better first-contact resolution keep?",
    ),
    PageSpec(
        "churn",
        "Churn",
        ":material/trending_down:",
        "What it is worth",
        "Who churns, and do accounts with a better support experience churn less?",
    ),
    PageSpec(
        "roles",
        "B2B roles and renewal",
        ":material/groups:",
        "What it is worth",
        "Whose unhappiness predicts churn: the buyer's, the admin's, the champion's or the "
        "end users'?",
    ),
    PageSpec(
        "cohorts",
        "Cohorts",
        ":material/stacked_line_chart:",
        "What it is worth",
        "Do cohorts with a smooth onboarding retain better and pay more over their lifetime?",
    ),
    PageSpec(
        "revenue",
        "Revenue",
        ":material/payments:",
        "What it is worth",
        "How concentrated is revenue by tenure, and how fast does each channel pay back CAC?",
    ),
)

BY_SLUG = {page.slug: page for page in PAGES}
