"""The shipped example rules file, and the breadth and regime functions on real data."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from rotascope.data.store import Store
from rotascope.outputs.alerts.rules import load_rules
from rotascope.outputs.cli.main import cli
from rotascope.rules.functions import REGISTRY

from .conftest import read_close, write_rules
from .test_backtest_real import fired

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "alerts" / "rotation.yaml"
MAG7 = ["AAPL", "MSFT", "GOOGL", "AMZN", "NVDA", "META", "TSLA"]


def test_the_example_watches_the_rotation(loaded_store):
    with Store(loaded_store.store_path, read_only=True) as store:
        rules = load_rules(EXAMPLE, store=store, settings=loaded_store)
    funcs = {f for r in rules.rules for f in r.info.functions}
    # key ratios, the index range, breadth, bitcoin drawdown and the regime
    assert {"ratio", "range", "breadth", "worst_decline", "drawdown", "regime"} <= funcs
    assert {"MAGS", "XMAG", "RSP", "SPY", "IBIT"} <= set(rules.tickers())
    assert rules.channels["hook"].options["secret_env"] == "ROTASCOPE_WEBHOOK_SECRET"
    assert len({r.id for r in rules.rules}) == len(rules.rules) >= 10


def test_check_and_backtest_run_the_example(loaded_store):
    home = str(loaded_store.home)
    res = CliRunner().invoke(cli, ["--home", home, "alerts", "check", str(EXAMPLE),
                                   "--as-of", "2025-04-08", "--json"])
    assert res.exit_code == 0, res.output
    got = json.loads(res.stdout)
    assert got["as_of"] == "2025-04-08"
    by_id = {r["id"]: r for r in got["rules"]}
    # April 2025: the Mag-7 at a multi-month low against the S&P 500, bitcoin in a drawdown
    assert by_id["mags-spy-4m-low"]["true"] is True
    assert by_id["mags-spy-4m-low"]["values"]["ratio(MAGS, SPY).lowest_in_months"] >= 4
    assert by_id["regime-change"]["values"]["regime"] in (
        "broad breakdown", "defensive rotation", "broadening rotation", "narrow leadership",
        "mixed")
    res = CliRunner().invoke(cli, ["--home", home, "alerts", "backtest", str(EXAMPLE),
                                   "--from", "2025-01-01", "--to", "2025-06-30", "--json"])
    assert res.exit_code == 0, res.output
    bt = {r["id"]: r["fired"] for r in json.loads(res.stdout)["rules"]}
    assert "2025-04-08" in bt["mags-spy-4m-low"] or "2025-04-03" in bt["mags-spy-4m-low"]
    assert bt["breadth-50d-below-half"] and bt["regime-change"]


def test_breadth_of_a_fixed_universe_matches_pandas(loaded_store, market_data, tmp_path):
    """breadth(mag7): the built-in list on every date, recomputed from the CSVs."""
    close = pd.concat({t: read_close(market_data, t) for t in MAG7}, axis=1, sort=True)
    above = pd.DataFrame(index=close.index, columns=MAG7, dtype=object)
    for t in MAG7:
        s = close[t].dropna()
        sma = s.rolling(50).mean()
        diff = s - sma
        a = (diff > 1e-12 * sma.abs()).astype(float)
        a[sma.isna()] = np.nan
        above[t] = a.reindex(close.index)
    counted = above.notna().sum(axis=1)
    pct = above.astype(float).sum(axis=1) / counted.where(counted > 0)
    expected = fired(_crosses_below(pct, 0.5))
    rules = write_rules(tmp_path / "r.yaml", """
        rules:
          - id: mag7-breadth
            condition: breadth(mag7).pct_above_sma.50 crosses_below 0.5
        """)
    res = CliRunner().invoke(cli, ["--home", str(loaded_store.home), "alerts", "backtest",
                                   str(rules), "--from", "2022-01-03", "--to", "2026-07-14",
                                   "--json"])
    assert res.exit_code == 0, res.output
    got = json.loads(res.stdout)["rules"][0]["fired"]
    assert got == expected and len(got) > 5


def _crosses_below(x: pd.Series, level: float) -> pd.Series:
    d = (x - level).dropna()
    hit = (d < 0) & (d.shift(1) >= 0)
    return hit.astype(object).reindex(x.index)


def test_breadth_of_sp500_equals_the_breadth_command(loaded_store, tmp_path):
    """Point-in-time sp500 breadth in a condition reads what `rotascope breadth` reports."""
    rules = write_rules(tmp_path / "r.yaml", """
        rules:
          - id: b
            condition: breadth(sp500).pct_above_sma.50 > 0.5 and breadth(sp500).new_highs >= 0
        """)
    home = str(loaded_store.home)
    for day in ("2023-10-27", "2024-07-16", "2025-04-08", "2026-07-14"):
        chk = CliRunner().invoke(cli, ["--home", home, "alerts", "check", str(rules),
                                       "--as-of", day, "--json"])
        assert chk.exit_code == 0, chk.output
        values = json.loads(chk.stdout)["rules"][0]["values"]
        rep = CliRunner().invoke(cli, ["--home", home, "breadth", "--as-of", day, "--json"])
        assert rep.exit_code == 0, rep.output
        report = json.loads(rep.stdout)
        assert values["breadth(sp500).pct_above_sma.50"] == pytest.approx(
            report["pct_above_sma"]["50"], abs=1e-12)
        assert values["breadth(sp500).new_highs"] == report["new_highs"]


def test_regime_changed_fires_on_the_verdict_changes(loaded_store, tmp_path):
    rules = write_rules(tmp_path / "r.yaml", """
        rules:
          - id: changed
            condition: regime changed
          - id: breakdown
            condition: regime == "broad breakdown"
        """)
    home = str(loaded_store.home)
    bt = CliRunner().invoke(cli, ["--home", home, "alerts", "backtest", str(rules), "--from",
                                  "2022-01-03", "--to", "2025-12-31", "--json"])
    assert bt.exit_code == 0, bt.output
    fired_on = {r["id"]: r["fired"] for r in json.loads(bt.stdout)["rules"]}
    rg = CliRunner().invoke(cli, ["--home", home, "regime", "--from", "2022-01-03", "--to",
                                  "2025-12-31", "--json"])
    assert rg.exit_code == 0, rg.output
    doc = json.loads(rg.stdout)
    changes = doc["changes"] if isinstance(doc, dict) and "changes" in doc else doc
    dates = [c["date"] for c in changes][1:]  # the first row is the verdict in force
    assert fired_on["changed"] == dates and len(dates) > 3
    breakdowns = [c["date"] for c in changes[1:] if c["verdict"] == "broad breakdown"]
    assert fired_on["breakdown"] == breakdowns


def test_the_docs_describe_every_function():
    docs = (EXAMPLE.parents[2] / "docs" / "alerts.md").read_text()
    table = docs[docs.index("### Functions"):docs.index("### Truth over time")]
    for name in REGISTRY:
        assert f"`{name}(" in table, name
