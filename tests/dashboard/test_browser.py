"""The dashboard as a person sees it: `streamlit run` on a free port, every page opened in
headless Chromium (Debian's /usr/bin/chromium, driven by playwright; never `playwright
install`), with a screenshot per page in data/dashboard/screenshots/<page>.png."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.views import PAGES, PageSpec
from tests.dashboard.conftest import APP, PROJECT_DIR, Marts

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = PROJECT_DIR / "data" / "dashboard" / "screenshots"
START_TIMEOUT_S = 60
PAGE_TIMEOUT_MS = 60_000

# skipped only outside CI: in CI (make setup installed it) a missing chromium is a failure
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and os.environ.get("CI") != "true",
    reason="needs Debian's chromium (make setup installs it)",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(serving_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of `streamlit run dashboard/app.py` on 127.0.0.1; stopped at the end."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("streamlit") / "streamlit.log"
    # HOME: streamlit keeps its own files there
    env = {**os.environ, "HOME": str(log_path.parent), "CX_SERVING_PATH": str(serving_file)}
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(APP),
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
                "--server.fileWatcherType",
                "none",
            ],
            cwd=PROJECT_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"streamlit exited ({proc.returncode}):\n{log_path.read_text()}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"streamlit did not answer in {START_TIMEOUT_S}s:\n{log_path.read_text()}"
                )
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=60_000
        )
        try:
            yield chromium
        finally:
            chromium.close()


def screenshot(page, slug: str) -> None:
    """The whole page: Streamlit scrolls inside its main block, so grow the viewport to it."""
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll("
        "'[data-testid=stMain], [data-testid=stMainBlockContainer]')].map(e => e.scrollHeight))"
    )
    page.set_viewport_size({"width": 1400, "height": min(max(int(height) + 80, 900), 8000)})
    page.wait_for_timeout(500)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{slug}.png"))


@pytest.mark.parametrize("spec", PAGES, ids=[p.slug for p in PAGES])
def test_page_in_a_browser(spec: PageSpec, server: str, browser, marts: Marts) -> None:
    publish_id = marts.one("select max(publish_id) from meta.publish_log")
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        page.set_default_timeout(PAGE_TIMEOUT_MS)
        page.goto(f"{server}/{spec.url}")
        page.get_by_role("heading", name=spec.title, level=1).wait_for()
        if spec.has_chart:
            page.locator(".js-plotly-plot").first.wait_for()
        page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for()
        page.wait_for_timeout(500)  # charts draw after the run ends
        screenshot(page, spec.slug)

        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.locator('[data-testid="stAlertContentError"]').count() == 0  # st.error
        assert page.get_by_text("Page not found").count() == 0
        assert page.get_by_text("No serving file").count() == 0
        sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
        assert f"Publish #{publish_id}" in sidebar
        titles = [p.title for p in PAGES]
        assert all(title in sidebar for title in titles), sidebar  # the navigation
        if spec.has_chart:
            plots = page.locator(".js-plotly-plot")
            assert plots.count() >= 1
            assert plots.first.locator(".main-svg").count() >= 1  # drawn, not just a div
        else:
            assert page.locator('[data-testid="stDataFrame"]').count() >= 1
        if spec.slug == "friction":
            top = marts.one(
                "select touchpoint from marts.touchpoint_scorecard where friction_rank = 1 "
                "order by month desc limit 1"
            )
            assert page.get_by_role("heading", name=top).count() == 1
    finally:
        page.close()
