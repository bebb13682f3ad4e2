"""Fixtures for the note: a small seeded synthetic market in a store, notes built from it
and from the real data (session-scoped: each is built once)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from rotascope.config import Settings
from rotascope.data.store import Store

#: The test market: small, seeded, the default episodes of a 1,800-day calendar (an
#: index crash, two rotations, a bitcoin crash, a range and a broad breakdown).
SYN_SPEC = {"tickers": 150, "days": 1800, "seed": 0}
#: Fixed as-of of the synthetic golden note (the market's last business day).
SYN_AS_OF = "2007-11-26"
#: Real-data notes re-derived figure by figure.
REAL_AS_OF = ("2026-07-14", "2025-04-08")


@pytest.fixture(scope="session")
def syn_market() -> Any:
    from rotascope.data.synthetic import generate_market

    return generate_market(**SYN_SPEC)


@pytest.fixture(scope="session")
def syn_home(syn_market: Any, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A home whose store holds the synthetic market (treat as read-only)."""
    from rotascope.outputs.report.demo import import_market

    settings = Settings(home=tmp_path_factory.mktemp("syn_home"))
    with Store(settings.store_path) as store:
        import_market(store, syn_market)
    return settings


@pytest.fixture()
def syn_home_copy(syn_home: Settings, tmp_path: Path) -> Settings:
    """A writable copy of the synthetic store for one test."""
    settings = Settings(home=tmp_path / "home")
    settings.home.mkdir()
    shutil.copy(syn_home.store_path, settings.store_path)
    return settings


def note_from_store(store: Any, settings: Settings, as_of: Any, *, previous: Any = "auto",
                    **kw: Any) -> Any:
    """build_report on a market view of ``store``, as the CLI does it: ``previous="auto"``
    reads the latest stored note dated before the note's date."""
    from rotascope.market_view import MarketView
    from rotascope.outputs.report import build_report
    from rotascope.outputs.report.history import previous_note

    market = MarketView.open(store, settings, as_of=as_of)
    if previous == "auto":
        previous = lambda day: previous_note(store, day)  # noqa: E731
    return build_report(market, previous=previous,
                        requested_as_of=None if as_of is None else pd.Timestamp(as_of), **kw)


def build_and_write(settings: Settings, out: Path, as_of: str, **kw: Any) -> tuple[Any, dict]:
    from rotascope.outputs.report import write_report

    with Store(settings.store_path, read_only=True) as store:
        model = note_from_store(store, settings, as_of, **kw)
    write_report(model, out)
    return model, json.loads((out / "note.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def note_builder() -> Any:
    """``build_and_write(settings, out, as_of, **build_report_kwargs) -> (model, json)``."""
    return build_and_write


@pytest.fixture(scope="session")
def syn_note(syn_home: Settings, tmp_path_factory: pytest.TempPathFactory
             ) -> tuple[Any, dict, Path]:
    """(model, note.json dict, folder) of the synthetic note as of :data:`SYN_AS_OF`."""
    out = tmp_path_factory.mktemp("syn_note")
    model, note = build_and_write(syn_home, out, SYN_AS_OF, previous=None)
    return model, note, out


@pytest.fixture(scope="session")
def real_notes(loaded_store: Settings, tmp_path_factory: pytest.TempPathFactory
               ) -> dict[str, tuple[Any, dict, Path]]:
    """Notes on the real data as of each date of :data:`REAL_AS_OF`."""
    out = {}
    for day in REAL_AS_OF:
        folder = tmp_path_factory.mktemp(f"real_note_{day}")
        model, note = build_and_write(loaded_store, folder, day, previous=None)
        out[day] = (model, note, folder)
    return out
