"""``rotascope portfolio``: analyze / whatif / holdings import on the real data."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from rotascope.config import Settings
from rotascope.errors import EXIT_DATA, EXIT_USAGE
from rotascope.outputs.cli.main import COMMANDS, cli

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "holdings"


def run(args: list[str], home) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--home", str(home), *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture()
def holdings(tmp_path) -> Path:
    p = tmp_path / "mine.csv"
    p.write_text("ticker,weight,account\nQQQ,0.5,ira\nMAGS,0.1,\nXMAG,0.1,\nAAPL,0.1,\n"
                 "IEF,0.1,\n", encoding="utf-8")
    return p


def test_help_has_examples(loaded_store) -> None:
    assert "portfolio" in COMMANDS
    for args in (["portfolio", "--help"], ["portfolio", "analyze", "--help"],
                 ["portfolio", "whatif", "--help"], ["portfolio", "holdings", "import",
                                                    "--help"]):
        code, out, _ = run(args, loaded_store.home)
        assert code == 0 and "Examples:" in out, args


def test_analyze_json_and_report(loaded_store, holdings, tmp_path) -> None:
    out_dir = tmp_path / "rep"
    code, out, err = run(["portfolio", "analyze", str(holdings), "--as-of", "2026-07-13",
                          "--json", "--out", str(out_dir)], loaded_store.home)
    assert code == 0, err
    doc = json.loads(out)
    assert doc["as_of"] == "2026-07-13" and doc["window"]["observations"] == 252
    assert doc["exposure"]["mag7"]["look_through"] == pytest.approx(0.2)
    assert set(doc["metrics"]) >= {"annual_return", "sharpe", "cvar_95", "information_ratio"}
    assert "MAGS-SPY" in doc["factor_betas"]["factors"]
    assert "tariff_selloff_2025" in doc["scenarios"]["historical"]
    html = (out_dir / "portfolio.html").read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") >= 5 and "<script" not in html
    assert "http://" not in html and "https://" not in html
    assert json.loads((out_dir / "analysis.json").read_text())["metrics"] == doc["metrics"]
    code, out, _ = run(["portfolio", "analyze", str(holdings), "--as-of", "2026-07-13"],
                       loaded_store.home)
    assert code == 0 and "Mag-7 exposure" in out and "Factor betas" in out


def test_report_escapes_user_text(loaded_store, tmp_path) -> None:
    p = tmp_path / "x.yaml"
    p.write_text("name: '<script>alert(1)</script>'\nholdings:\n  - {ticker: QQQ, weight: 1}\n",
                 encoding="utf-8")
    code, _, err = run(["portfolio", "analyze", str(p), "--as-of", "2026-07-13", "--out",
                        str(tmp_path / "r")], loaded_store.home)
    assert code == 0, err
    html = (tmp_path / "r" / "portfolio.html").read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_whatif_side_by_side(loaded_store, holdings) -> None:
    code, out, err = run(["portfolio", "whatif", str(holdings), "--move", "30%:QQQ:RSP",
                          "--as-of", "2026-07-13", "--json"], loaded_store.home)
    assert code == 0, err
    doc = json.loads(out)
    comp = doc["comparison"]
    assert comp["weights.QQQ"]["before"] == pytest.approx(0.5)
    assert comp["weights.QQQ"]["after"] == pytest.approx(0.2)
    assert comp["weights.RSP"]["after"] == pytest.approx(0.3)
    assert comp["metrics.sharpe"]["before"] == doc["before"]["metrics"]["sharpe"]
    assert comp["metrics.sharpe"]["after"] == doc["after"]["metrics"]["sharpe"]
    code, out, _ = run(["portfolio", "whatif", str(holdings), "--move", "30%:QQQ:RSP",
                        "--as-of", "2026-07-13"], loaded_store.home)
    assert code == 0 and "What if" in out and "metrics.sharpe" in out


def test_errors_and_exit_codes(loaded_store, tmp_path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("ticker,weight\nQQQ,0.5\nRSP,lots\n", encoding="utf-8")
    code, _, err = run(["portfolio", "analyze", str(bad)], loaded_store.home)
    assert code == EXIT_DATA and f"{bad}:3: field weight: 'lots'" in err
    unk = tmp_path / "unk.csv"
    unk.write_text("ticker,weight\nQQQ,0.5\nNOPE,0.1\nZZZZ,0.1\n", encoding="utf-8")
    code, _, err = run(["portfolio", "analyze", str(unk)], loaded_store.home)
    assert code == EXIT_DATA and "NOPE, ZZZZ" in err
    lev = tmp_path / "lev.csv"
    lev.write_text("ticker,weight\nQQQ,0.8\nIEF,0.4\n", encoding="utf-8")
    code, _, err = run(["portfolio", "analyze", str(lev), "--as-of", "2026-07-13"],
                       loaded_store.home)
    assert code == EXIT_DATA and "--leverage" in err
    code, out, _ = run(["portfolio", "analyze", str(lev), "--as-of", "2026-07-13",
                        "--leverage", "--json"], loaded_store.home)
    assert code == 0 and json.loads(out)["cash"] == pytest.approx(-0.2)
    code, _, err = run(["portfolio", "whatif", str(lev), "--move", "30%QQQ", "--leverage"],
                       loaded_store.home)
    assert code == EXIT_USAGE and "AMOUNT:FROM:TO" in err


def test_holdings_import_feeds_look_through(loaded_store, tmp_path, holdings) -> None:
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(loaded_store.store_path, Settings(home=home).store_path)
    code, out, err = run(["portfolio", "holdings", "import", str(FIX / "QQQ_holdings.csv"),
                          "--fund", "QQQ", "--json"], home)
    assert code == 0, err
    doc = json.loads(out)
    assert doc["layout"] == "invesco" and doc["rows"] == 11 and doc["as_of"] == "2026-07-14"
    # the default as-of date (2026-07-13, the last session with 95% of closes) is before
    # the file's date; as of the file's date it is used
    code, out, _ = run(["portfolio", "analyze", str(holdings), "--as-of", "2026-07-14",
                        "--json"], home)
    assert code == 0
    mag = json.loads(out)["exposure"]["mag7"]
    qqq = 0.0955 + 0.0853 + 0.0716 + 0.0537 + 0.0358 + 0.0237 + 0.0229 + 0.0292
    assert mag["by_ticker"]["QQQ"]["method"] == "holdings"
    assert mag["look_through"] == pytest.approx(0.2 + 0.5 * qqq, abs=1e-12)
    # point in time: as of a date before the file, QQQ is estimated again
    code, out, _ = run(["portfolio", "analyze", str(holdings), "--as-of", "2026-06-30",
                        "--json"], home)
    assert json.loads(out)["exposure"]["mag7"]["by_ticker"]["QQQ"]["method"] == "estimated"
    code, out, _ = run(["portfolio", "holdings", "list"], home)
    assert code == 0 and "QQQ" in out
    code, _, err = run(["portfolio", "holdings", "import", str(holdings), "--fund", "QQQ"],
                       home)
    assert code == EXIT_DATA and "no iShares" in err
