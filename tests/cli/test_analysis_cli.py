"""perf / ratio / snapshot commands: JSON shape, values, exit codes, empty store."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from rotascope.errors import EXIT_DATA
from rotascope.outputs.cli.main import cli


def run(args: list[str], home) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--home", str(home), *args])
    return result.exit_code, result.stdout, result.stderr


def _csv(market_data, ticker: str) -> pd.Series:
    return pd.read_csv(market_data / "prices" / f"{ticker}.csv", parse_dates=["Date"]
                       ).set_index("Date")["Close"]


def test_perf_json(loaded_store, market_data) -> None:
    code, out, _ = run(["perf", "QQQ", "IWM", "SPY", "--windows", "1m,ytd",
                        "--as-of", "2025-04-08", "--json"], loaded_store.home)
    assert code == 0
    doc = json.loads(out)
    assert doc["as_of"] == "2025-04-08"
    assert [r["ticker"] for r in doc["rows"]] == ["QQQ", "IWM", "SPY"]
    assert set(doc["rows"][0]) == {"ticker", "1m", "ytd"}
    qqq = _csv(market_data, "QQQ").loc[:"2025-04-08"]
    assert doc["rows"][0]["1m"] == pytest.approx(qqq.iloc[-1] / qqq.iloc[-22] - 1, rel=1e-9)
    assert [(s["ticker"], s["vs"]) for s in doc["spreads"]] == [("QQQ", "IWM"), ("QQQ", "SPY")]
    assert doc["spreads"][0]["1m"] == pytest.approx(doc["rows"][0]["1m"] - doc["rows"][1]["1m"])


def test_ratio_json_and_table(loaded_store) -> None:
    code, out, _ = run(["ratio", "mags", "spy", "--json"], loaded_store.home)
    assert code == 0
    doc = json.loads(out)
    assert doc["numerator"] == "MAGS" and doc["denominator"] == "SPY"
    assert doc["as_of"] == "2026-07-14"
    assert 0 <= doc["lowest_in_months"] <= 24
    code, out, _ = run(["ratio", "RSP", "SPY"], loaded_store.home)
    assert code == 0 and "RSP/SPY" in out


def test_unknown_ticker_is_listed(loaded_store) -> None:
    code, _, err = run(["perf", "SPY", "NOPE1", "NOPE2"], loaded_store.home)
    assert code == EXIT_DATA
    assert "NOPE1" in err and "NOPE2" in err


def test_empty_store_explains(tmp_path) -> None:
    code, _, err = run(["snapshot"], tmp_path / "empty")
    assert code == EXIT_DATA
    assert "rotascope data import" in err


def test_snapshot_json(loaded_store) -> None:
    code, out, _ = run(["snapshot", "--as-of", "2026-06-30", "--json"], loaded_store.home)
    assert code == 0
    doc = json.loads(out)
    assert [s["universe"] for s in doc["sections"]] == ["leadership", "style", "sectors", "global"]
    assert [r["pair"] for r in doc["ratios"]] == ["MAGS/SPY", "XMAG/MAGS", "RSP/SPY", "QQQ/IWM",
                                                 "IWF/IWD", "SPY/ACWX", "HYG/IEF"]
    assert doc["missing"] == []
    xlk = next(r for r in doc["sections"][2]["rows"] if r["ticker"] == "XLK")
    assert set(xlk) == {"ticker", "1w", "1m", "3m", "ytd"}
    assert all(np.isfinite(v) for k, v in xlk.items() if k != "ticker")


def test_python_dash_m_help() -> None:
    result = subprocess.run([sys.executable, "-m", "rotascope", "--help"], capture_output=True,
                            text=True, check=True)
    assert "snapshot" in result.stdout and "Examples" in result.stdout
