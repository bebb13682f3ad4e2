"""The desk in real headless Chromium (Debian's /usr/bin/chromium via Playwright) against
uvicorn on a free 127.0.0.1 port: pages load without console errors, charts draw, the
RRG slider moves the tails, the claim checker shows verdicts, the 401 path works."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TOKEN = "browser-test-token-6f1d2c"

pytestmark = pytest.mark.browser

CHART_PAGES = ["/", "/ratio?numerator=RSP&denominator=SPY", "/rrg", "/breadth", "/leaders",
               "/signals?ticker=SPY", "/backtest?strategy_file=rotation.yaml&start=2024-01-01"]
PLAIN_PAGES = ["/notes", "/notes/view/rotascope-report-2026-07-10/note.md", "/check",
               "/alerts?rules=rotation.yaml", "/portfolio?holdings=core.csv", "/backtest",
               "/docs"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Server:
    """uvicorn in a thread on 127.0.0.1 (stopped by should_exit)."""

    def __init__(self, app) -> None:
        import uvicorn

        self.port = _free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port,
                                                    log_level="info", access_log=True,
                                                    log_config=None))  # logs reach caplog
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        msg = (f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium; "
               ".ci/apt-packages lists it)")
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def base_url(web_home):
    from rotascope.outputs.web.app import create_app

    with _Server(create_app(web_home)) as url:
        yield url


def _open(browser, url: str):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))

    def route(r):  # nothing may leave 127.0.0.1 (no CDN)
        if r.request.url.startswith(("http://127.0.0.1:", "data:")):
            return r.continue_()
        errors.append(f"external request: {r.request.url}")
        return r.abort()

    page.route("**/*", route)
    response = page.goto(url, wait_until="load")
    return page, response, errors


@pytest.mark.parametrize("path", CHART_PAGES)
def test_chart_pages_draw(browser, base_url, path):
    page, response, errors = _open(browser, base_url + path)
    assert response.status == 200
    page.wait_for_selector(".plotly svg.main-svg", timeout=20000)
    n = page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')].filter(
        d => d.querySelectorAll('svg.main-svg path, svg.main-svg rect.point').length > 0
        && d.querySelector('svg.main-svg').getBoundingClientRect().width > 50).length""")
    charts = page.locator("script[data-chart]").count()
    assert charts >= 1 and n == charts, (n, charts)
    assert page.locator("#cutoff b").inner_text()[:2] == "20"
    assert not errors, errors
    page.close()


@pytest.mark.parametrize("path", PLAIN_PAGES)
def test_plain_pages_load(browser, base_url, path):
    page, response, errors = _open(browser, base_url + path)
    assert response.status == 200
    page.wait_for_timeout(200)
    assert not errors, errors
    page.close()


def test_rrg_slider_moves_the_tails(browser, base_url):
    page, _, errors = _open(browser, base_url + "/rrg?tail=4&weeks=12")
    page.wait_for_selector(".plotly .slider-container", timeout=20000)
    before = page.evaluate("() => document.getElementById('rrg-chart').data[0].x")
    rail = page.locator(".slider-rail-rect").first.bounding_box()
    page.mouse.click(rail["x"] + 3, rail["y"] + rail["height"] / 2)   # the first date
    page.wait_for_timeout(500)
    after = page.evaluate("() => document.getElementById('rrg-chart').data[0].x")
    active = page.evaluate("() => document.getElementById('rrg-chart').layout.sliders[0].active")
    label = page.locator(".slider-container text", has_text="week of").first.text_content()
    assert before != after and len(after) >= 1
    assert active == 0 and label.startswith("week of ")
    assert not errors, errors
    page.close()


def test_claim_checker_shows_verdicts(browser, base_url):
    page, _, errors = _open(browser, base_url + "/check")
    page.fill("textarea[name=text]", "SPY rose 2% last week. <script>alert(1)</script> "
                                     "Nvidia fell 5% this year.")
    page.click("#check-form button[type=submit]")
    page.wait_for_selector("mark[data-verdict]", timeout=30000)
    verdicts = page.eval_on_selector_all("mark[data-verdict]",
                                         "ms => ms.map(m => m.dataset.verdict)")
    assert len(verdicts) >= 2
    assert set(verdicts) <= {"holds", "roughly", "does not hold", "cannot check"}
    assert "<script>alert(1)</script>" in page.locator("#claimtext").inner_text()  # as text
    assert not errors, errors
    page.close()


def test_token_server_401_then_login(browser, web_home, caplog):
    from rotascope.outputs.web.app import create_app

    caplog.set_level(logging.INFO)
    with _Server(create_app(web_home, token=TOKEN)) as url:
        page = browser.new_page()
        response = page.goto(url + "/breadth")
        assert response.status == 401
        page.fill("input[name=token]", TOKEN)
        page.click("form.login button")
        page.wait_for_selector("#cutoff", timeout=20000)
        assert page.url.endswith("/breadth")  # back to the page asked for
        assert page.locator("#breadth-chart").count() == 1
        api = page.request.get(url + "/api/v1/alerts/state")
        assert api.status == 200  # the session cookie
        assert browser.new_page().goto(url + "/api/v1/alerts/state").status == 401
        page.close()
    assert "GET /breadth" in caplog.text  # the access log was captured...
    assert TOKEN not in caplog.text


def test_open_page_reloads_when_an_alert_fires(browser, web_home, tmp_path):
    """Server-sent events: a write to the store (an alert firing) reloads an open page."""
    import shutil

    import pandas as pd

    from rotascope.config import Settings
    from rotascope.data.store import Store
    from rotascope.outputs.web.app import create_app

    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(web_home.store_path.resolve(), home / "store.duckdb")
    with _Server(create_app(Settings(home=home))) as url:
        page, _, errors = _open(browser, url + "/alerts")
        page.wait_for_timeout(1500)  # the event stream is open and has its first status
        page.evaluate("() => { window.__before_reload = true; }")
        with Store(home / "store.duckdb") as store:
            store.con.execute("CREATE TABLE IF NOT EXISTS alert_outbox (alert_id VARCHAR, "
                              "namespace VARCHAR, rule_id VARCHAR, fired_date DATE, "
                              "severity VARCHAR, created_at TIMESTAMP, payload VARCHAR)")
            store.con.execute("INSERT INTO alert_outbox VALUES ('a1', 'ns', 'rsp-breakout', ?, "
                              "'info', now(), '{}')", [pd.Timestamp("2026-07-14").date()])
            store.con.execute("CHECKPOINT")
        page.wait_for_function("() => window.__before_reload === undefined", timeout=20000)
        assert "rsp-breakout" in page.content()  # the reloaded page shows the firing
        assert not errors, errors
        page.close()
