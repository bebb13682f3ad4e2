"""breadth / rrg / rotation / concentration / leaders / chart commands: JSON, tables, errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from rotascope.analysis.breadth import breadth_report
from rotascope.analysis.pairs import PAIRS
from rotascope.analysis.ratio import RATIO_FIELDS
from rotascope.data.store import Store
from rotascope.errors import EXIT_DATA, EXIT_USAGE
from rotascope.market_view import MarketView
from rotascope.outputs.cli.main import COMMANDS, cli

SECTORS = ["XLB", "XLC", "XLE", "XLF", "XLI", "XLK", "XLP", "XLRE", "XLU", "XLV", "XLY"]


def run(args: list[str], home) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--home", str(home), *args])
    return result.exit_code, result.stdout, result.stderr


def test_commands_registered_with_help_examples(loaded_store) -> None:
    for name in ("breadth", "rrg", "rotation", "concentration", "leaders", "chart"):
        assert name in COMMANDS
        code, out, _ = run([name, "--help"], loaded_store.home)
        assert code == 0 and "Examples:" in out, name
        if name != "chart":
            assert "--as-of" in out and "--json" in out, name
    code, out, _ = run(["chart", "rrg", "--help"], loaded_store.home)
    assert "--as-of" in out and "--json" in out and "--out" in out


def test_breadth_json_is_the_report(loaded_store) -> None:
    code, out, _ = run(["breadth", "--as-of", "2024-06-28", "--json"], loaded_store.home)
    assert code == 0
    doc = json.loads(out)
    with Store(loaded_store.store_path, read_only=True) as store:
        rep = breadth_report(MarketView.open(store, loaded_store, as_of="2024-06-28"), "sp500")
    assert doc == json.loads(json.dumps(rep.to_dict()))
    assert doc["as_of"] == "2024-06-28" and doc["universe"] == "sp500"
    assert set(doc["counted"]) == set(doc["pct_above_sma"]) == {"20", "50", "200"}
    for key in ("members", "new_highs", "new_lows", "ad_line", "mcclellan_oscillator",
                "mcclellan_summation", "rsp_spy"):
        assert key in doc
    code, out, _ = run(["breadth", "--as-of", "2024-06-28"], loaded_store.home)
    assert code == 0 and "above 50-day average" in out and "Participation" in out


def test_rrg_json_points(loaded_store) -> None:
    code, out, _ = run(["rrg", "--as-of", "2025-04-08", "--tail", "5", "--json"],
                       loaded_store.home)
    assert code == 0
    doc = json.loads(out)
    assert doc["benchmark"] == "SPY" and doc["period"] == "weekly"
    assert [p["ticker"] for p in doc["points"]] == SECTORS
    for p in doc["points"]:
        assert set(p) >= {"ticker", "rs_ratio", "rs_momentum", "quadrant", "tail", "since"}
        assert len(p["tail"]) == 5 and p["tail"][-1]["rs_ratio"] == p["rs_ratio"]
        leading = p["rs_ratio"] >= 100 and p["rs_momentum"] >= 100
        assert (p["quadrant"] == "leading") == leading
        assert p["since"] <= p["tail"][-1]["date"] <= "2025-04-08"
    code, out, _ = run(["rrg", "XLK", "XLE", "--period", "daily", "--benchmark", "spy",
                        "--json"], loaded_store.home)
    assert code == 0
    doc = json.loads(out)
    assert doc["period"] == "daily" and [p["ticker"] for p in doc["points"]] == ["XLK", "XLE"]
    code, out, _ = run(["rrg", "--as-of", "2025-04-08"], loaded_store.home)
    assert code == 0 and "RS-Momentum" in out and "XLK" in out


def test_rotation_json_pairs(loaded_store) -> None:
    code, out, _ = run(["rotation", "--as-of", "2025-04-08", "--json"], loaded_store.home)
    assert code == 0
    doc = json.loads(out)
    assert [p["pair"] for p in doc["pairs"]] == [f"{a}/{b}" for a, b in PAIRS]
    qqq = next(p for p in doc["pairs"] if p["pair"] == "QQQ/IWM")
    assert set(RATIO_FIELDS) <= set(qqq) and qqq["trend"] is not None
    xmag = next(p for p in doc["pairs"] if p["pair"] == "XMAG/MAGS")
    assert xmag["available"] is True
    assert doc["bitcoin"]["bitcoin"] == "IBIT" and doc["bitcoin"]["lead_lag"]["max_lag"] == 10
    code, out, _ = run(["rotation", "--as-of", "2024-06-28", "--pairs", "XMAG/MAGS,RSP/SPY",
                        "--no-bitcoin", "--json"], loaded_store.home)
    doc = json.loads(out)
    assert code == 0 and doc["bitcoin"] is None
    assert doc["pairs"][0]["available"] is False and doc["pairs"][1]["available"] is True
    code, _, err = run(["rotation", "--pairs", "QQQ-IWM"], loaded_store.home)
    assert code == EXIT_USAGE and "A/B" in err


def test_leaders_and_concentration(loaded_store) -> None:
    code, out, _ = run(["leaders", "sectors", "--window", "1m", "--as-of", "2025-04-08",
                        "--json"], loaded_store.home)
    assert code == 0
    doc = json.loads(out)
    assert doc["rank_by"] == "1m" and [r["rank"]["1m"] for r in doc["rows"]] == list(
        range(1, 12))
    code, _, err = run(["leaders", "nosuchuniverse"], loaded_store.home)
    assert code == EXIT_DATA and "unknown universe" in err
    code, _, err = run(["leaders", "sectors", "--window", "3x"], loaded_store.home)
    assert code == EXIT_USAGE and "window" in err
    code, out, _ = run(["concentration", "--as-of", "2025-04-08", "--windows", "1m,3m",
                        "--json"], loaded_store.home)
    assert code == 0
    doc = json.loads(out)
    assert [r["series"] for r in doc["returns"]][:3] == ["group", "rest", "spread"]
    assert [c["window"] for c in doc["contributions"]] == ["1m", "3m"]


@pytest.mark.parametrize("args", [["ratio", "RSP", "SPY"], ["rrg"], ["breadth"],
                                  ["line", "SPY", "--rsi", "14"]])
def test_chart_commands_write_files(loaded_store, tmp_path, args) -> None:
    out = tmp_path / f"{args[0]}.png"
    code, stdout, err = run(["chart", *args, "--as-of", "2025-04-08", "--out", str(out),
                             "--json"], loaded_store.home)
    assert code == 0, err
    doc = json.loads(stdout)
    assert doc == {"path": str(out), "format": "png", "chart": args[0], "as_of": "2025-04-08"}
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_chart_html_and_bad_suffix(loaded_store, tmp_path) -> None:
    out = tmp_path / "r.html"
    code, _, _ = run(["chart", "ratio", "MAGS", "SPY", "--out", str(out), "--synthetic"],
                     loaded_store.home)
    assert code == 0 and "SYNTHETIC DATA" in out.read_text()
    code, _, err = run(["chart", "ratio", "MAGS", "SPY", "--out", str(tmp_path / "r.svg")],
                       loaded_store.home)
    assert code == EXIT_USAGE and ".png or .html" in err
