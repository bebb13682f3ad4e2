"""note.html in headless Debian Chromium (Playwright): every chart is visible, nothing is
fetched from the network, no console error; the synthetic mark shows on a demo note."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        msg = (f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium; "
               ".ci/apt-packages lists it)")
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="pip install playwright (test extra)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        try:
            yield b
        finally:
            b.close()


def _open(browser, path: Path):
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}"))

    def route(r):
        url = r.request.url
        if url.startswith(("file:", "data:")):
            return r.continue_()
        requests.append(url)
        return r.abort()

    page.route("**/*", route)
    page.goto(path.resolve().as_uri(), wait_until="load")
    return page, errors, requests


def test_synthetic_note_renders(browser, syn_note) -> None:
    _, note, folder = syn_note
    page, errors, requests = _open(browser, folder / "note.html")
    imgs = page.locator("img.chart")
    assert imgs.count() == len(note["charts"]) == 4
    for i in range(imgs.count()):
        img = imgs.nth(i)
        img.scroll_into_view_if_needed()
        assert img.is_visible()
        box = img.bounding_box()
        assert box and box["width"] > 300 and box["height"] > 100, box
        loaded = img.evaluate("e => e.complete && e.naturalWidth > 0 && e.naturalHeight > 0")
        assert loaded, f"chart {i} did not load"
        assert img.evaluate("e => e.naturalWidth") == 900
    assert page.locator(".mark").is_visible()
    assert page.locator(".mark").inner_text() == "SYNTHETIC DATA"
    assert page.locator(".banner").is_visible()
    assert page.locator("span.fig").count() > 100
    assert page.locator("h2").count() == len(note["sections"])
    assert not errors, errors
    assert not requests, f"the page tried to fetch {requests}"
    page.close()


def test_real_note_renders(browser, real_notes) -> None:
    _, note, folder = next(iter(real_notes.values()))
    page, errors, requests = _open(browser, folder / "note.html")
    imgs = page.locator("img.chart")
    assert imgs.count() == len(note["charts"]) >= 3
    for i in range(imgs.count()):
        assert imgs.nth(i).evaluate("e => e.complete && e.naturalWidth > 0")
        box = imgs.nth(i).bounding_box()
        assert box and box["width"] > 300 and box["height"] > 100
    assert page.locator(".mark").count() == 0      # real data: no synthetic mark
    assert not errors and not requests, (errors, requests)
    page.close()


def test_print_layout_keeps_charts(browser, syn_note, tmp_path) -> None:
    _, _, folder = syn_note
    page, errors, _ = _open(browser, folder / "note.html")
    page.emulate_media(media="print")
    assert page.locator("img.chart").first.is_visible()
    pdf = page.pdf(path=str(tmp_path / "note.pdf"))
    assert pdf[:4] == b"%PDF" and len(pdf) > 50_000
    assert not errors
    page.close()
