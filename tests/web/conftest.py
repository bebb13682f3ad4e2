"""Fixtures of the web tests: a home beside the session store with rules, holdings and
strategy files, and a TestClient on it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

HOLDINGS = "ticker,weight\nSPY,0.4\nQQQ,0.3\nAAPL,0.1\nNVDA,0.1\n"


@pytest.fixture(scope="session")
def web_home(loaded_store, tmp_path_factory: pytest.TempPathFactory):
    """Settings of a home whose store is the session store (a symlink: read-only use)
    and whose alerts/, portfolios/, strategies/ and reports/ folders hold one file each."""
    from rotascope.config import Settings

    home = tmp_path_factory.mktemp("web_home")
    for item in loaded_store.home.iterdir():
        (home / item.name).symlink_to(item)
    (home / "alerts").mkdir()
    shutil.copy(REPO / "examples" / "alerts" / "rotation.yaml", home / "alerts" / "rotation.yaml")
    (home / "strategies").mkdir()
    shutil.copy(REPO / "examples" / "strategies" / "rotation.yaml",
                home / "strategies" / "rotation.yaml")
    (home / "portfolios").mkdir()
    (home / "portfolios" / "core.csv").write_text(HOLDINGS)
    notes = home / "reports" / "rotascope-report-2026-07-10"
    notes.mkdir(parents=True)
    (notes / "note.md").write_text("# Weekly note\n\nBreadth <b>improved</b>.\n")
    (notes / "note.html").write_text("<html><body><h1>Weekly note</h1></body></html>")
    return Settings(home=home)


@pytest.fixture(scope="session")
def client(web_home):
    from fastapi.testclient import TestClient

    from rotascope.outputs.web.app import create_app

    with TestClient(create_app(web_home)) as c:
        yield c
