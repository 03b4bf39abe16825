"""CX dashboard: `make dashboard` (streamlit run dashboard/app.py).

Reads only the serving DuckDB file (CX_SERVING_PATH), read-only; every page shows the
publish it reads in the sidebar.
"""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:  # `streamlit run dashboard/app.py` puts only dashboard/ on it
    sys.path.insert(0, str(_ROOT))

import streamlit as st  # noqa: E402

from dashboard import data, ui  # noqa: E402
from dashboard.views import PAGES  # noqa: E402

st.set_page_config(page_title="CX dashboard", page_icon=":material/insights:", layout="wide")

sections: dict[str, list[st.Page]] = {}
for spec in PAGES:
    sections.setdefault(spec.section, []).append(
        st.Page(
            spec.script,
            title=spec.title,
            icon=spec.icon,
            url_path=spec.slug,
            default=spec is PAGES[0],
        )
    )
page = st.navigation(sections)

try:
    ui.sidebar_publish(data.latest_publish())
    page.run()
except data.ServingFileError as error:
    ui.serving_file_message(error)
