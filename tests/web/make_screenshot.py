"""Take docs/img/web-overview.png: the overview page on the synthetic demo store.

    rotascope report --demo        # builds $ROTASCOPE_HOME/demo once
    python tests/web/make_screenshot.py $ROTASCOPE_HOME/demo docs/img/web-overview.png

Synthetic data only: excerpts of the real market data must not be committed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from test_browser import CHROMIUM, FLAGS, _Server  # type: ignore[import-not-found]


def main(home: str, out: str) -> None:
    from playwright.sync_api import sync_playwright

    from rotascope.config import Settings
    from rotascope.outputs.web.app import create_app

    with _Server(create_app(Settings(home=Path(home)))) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(url + "/", wait_until="load")
        page.wait_for_selector(".plotly svg.main-svg", timeout=60000)
        page.wait_for_timeout(500)
        page.screenshot(path=out)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
