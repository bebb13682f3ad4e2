"""The offline demo: a synthetic market in its own store, ``$ROTASCOPE_HOME/demo``.

``rotascope report --demo`` must work on a fresh machine with neither data nor
internet. :func:`ensure_demo_store` generates the seeded synthetic market
(:func:`rotascope.data.synthetic.generate_market` with :data:`DEMO_SPEC`), imports it into
``$ROTASCOPE_HOME/demo/store.duckdb`` (never the real store) with its point-in-time
``sp500`` membership, and records a fingerprint: the generator's source code, the
parameters and the rotascope version. The store is reused while the fingerprint
matches and rebuilt from scratch when it does not (a new generator version or seed).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ...data.store import Store

__all__ = ["DEMO_SPEC", "demo_settings", "generator_fingerprint", "ensure_demo_store",
           "import_market"]

#: Parameters of the demo market: 500 stocks (plus 53 ETFs and series), six years of
#: business days ending on a fixed recent date (so the note reads as current, yet is the
#: same on every machine), the generator's default seed and episodes.
DEMO_SPEC: dict[str, Any] = {"tickers": 500, "days": 1500, "end": "2026-06-26", "seed": 0}

_DEMO_TABLE = "CREATE TABLE IF NOT EXISTS demo_info (key VARCHAR PRIMARY KEY, value VARCHAR);"


def demo_settings(settings: Any) -> Any:
    """Settings whose home is ``<home>/demo`` (the demo store lives there)."""
    from ...config import Settings

    return Settings(home=Path(settings.home) / "demo")


def generator_fingerprint(spec: dict[str, Any] | None = None) -> str:
    """sha256 of the synthetic generator's source files, the spec and the version."""
    import rotascope

    h = hashlib.sha256()
    pkg = resources.files("rotascope.data.synthetic")
    for name in sorted(p.name for p in pkg.iterdir() if p.name.endswith(".py")):
        h.update(name.encode())
        h.update(pkg.joinpath(name).read_bytes())
    h.update(repr(sorted((spec or DEMO_SPEC).items())).encode())
    h.update(rotascope.__version__.encode())
    return h.hexdigest()


def import_market(store: Store, market: Any) -> None:
    """Write a :class:`~rotascope.data.synthetic.SyntheticMarket` into ``store``: prices,
    instrument names/kinds/sectors and the point-in-time ``sp500`` universe."""
    store.import_series(market.to_series_data(), source="synthetic", location=market.location)
    store.set_instrument_info(market.instrument_info())
    members = market.universe_members()
    store.save_universe("sp500", members["sp500"], description="SYNTHETIC S&P 500-like "
                        "universe (point-in-time membership)", source="synthetic",
                        location=market.location, point_in_time=True)


def _stored_fingerprint(path: Path) -> str | None:
    from ...data.store import Store

    if not path.exists():
        return None
    with Store(path, read_only=True) as store:
        rows = store.con.execute("SELECT count(*) FROM information_schema.tables WHERE "
                                 "table_name = 'demo_info'").fetchall()
        if not rows[0][0] or store.is_empty:
            return None
        got = store.con.execute("SELECT value FROM demo_info WHERE key = 'fingerprint'"
                                ).fetchall()
    return got[0][0] if got else None


def ensure_demo_store(settings: Any, *, spec: dict[str, Any] | None = None,
                      log: Callable[[str], None] | None = None) -> Any:
    """Make sure the demo store exists and matches the generator; return its Settings.

    Parameters
    ----------
    settings : the user's :class:`~rotascope.config.Settings`; the demo lives in
        ``settings.home / "demo"``.
    spec : generator parameters (default :data:`DEMO_SPEC`).
    log : called with a progress message when the market is (re)built.

    Returns
    -------
    Settings of the demo home.
    """
    from ...data.store import Store
    from ...data.synthetic import generate_market

    spec = dict(spec or DEMO_SPEC)
    demo = demo_settings(settings)
    path = demo.store_path
    fp = generator_fingerprint(spec)
    if _stored_fingerprint(path) == fp:
        return demo
    if log is not None:
        log(f"building the synthetic demo market in {path} (first run only)...")
    for p in (path, path.with_name(path.name + ".wal")):
        if p.exists():
            p.unlink()
    market = generate_market(**spec)
    with Store(path) as store:
        import_market(store, market)
        store.ensure_schema(_DEMO_TABLE)
        with store.transaction() as con:
            con.execute("DELETE FROM demo_info")
            con.executemany("INSERT INTO demo_info VALUES (?, ?)",
                            [("fingerprint", fp), ("spec", repr(sorted(spec.items()))),
                             ("description", market.description)])
    return demo
