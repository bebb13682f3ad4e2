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


@pytest.fixture(scope="session")
def loaded_store(market_data: Path, tmp_path_factory: pytest.TempPathFactory):
    """A store holding ALL of ../shared/market-data, built once per test session.

    Imports every price file of ``market_data/prices`` (608 tickers, kinds from
    manifest.csv) and the universe ``sp500`` from ``constituents/sp500.csv`` with
    point-in-time membership from ``constituents/sp500_changes.csv``, into a temporary
    ROTASCOPE_HOME. Takes a few seconds.

    Returns the :class:`rotascope.config.Settings` of that home. Treat it as read-only
    (it is shared by every test of the session; copy ``settings.store_path`` to a
    tmp_path first if a test must write)::

        def test_x(loaded_store):
            with Store(loaded_store.store_path, read_only=True) as store:
                close = store.close_matrix(["SPY", "RSP"], end="2024-06-28")

    For CLI tests: ``monkeypatch.setenv("ROTASCOPE_HOME", str(loaded_store.home))`` or
    pass ``["--home", str(loaded_store.home), ...]``.
    """
    from rotascope.config import Settings
    from rotascope.data.importer import import_path
    from rotascope.data.store import Store
    from rotascope.data.universes import add_universe

    settings = Settings(home=tmp_path_factory.mktemp("loaded_home"))
    with Store(settings.store_path) as store:
        result = import_path(store, market_data)
        assert not result.rejected, [str(r) for r in result.rejected]
        constituents = market_data / "constituents"
        add_universe(store, "sp500", constituents / "sp500.csv",
                     constituents / "sp500_changes.csv")
    return settings


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--update-golden``: rewrite golden files (tests/golden/) instead of comparing."""
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="regenerate the golden files under tests/golden/ and review the diff")
