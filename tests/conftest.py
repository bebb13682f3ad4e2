"""Shared fixtures: the real market data beside the checkout, temporary stores."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _market_data_dir() -> Path:
    env = os.environ.get("ROTASCOPE_MARKET_DATA")
    return Path(env) if env else REPO.parent / "shared" / "market-data"


MARKET_DATA = _market_data_dir()


@pytest.fixture(scope="session")
def market_data() -> Path:
    """../shared/market-data (or $ROTASCOPE_MARKET_DATA). Missing data fails, never skips."""
    if not (MARKET_DATA / "prices").is_dir():
        pytest.fail(f"real market data not found at {MARKET_DATA}; the tests need "
                    "../shared/market-data beside the checkout (or ROTASCOPE_MARKET_DATA)")
    return MARKET_DATA


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty ROTASCOPE_HOME for one test."""
    h = tmp_path / "home"
    monkeypatch.setenv("ROTASCOPE_HOME", str(h))
    return h
