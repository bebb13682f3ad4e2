"""rotascope backtest / regime evaluate on the real data: JSON shape, tear sheet, grid,
errors with exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from rotascope.errors import EXIT_RULES, EXIT_USAGE
from rotascope.outputs.cli.main import cli

EX = Path(__file__).resolve().parents[2] / "examples" / "strategies"
KEYS = {"id", "total_return", "annual_return", "annual_volatility", "sharpe", "sortino",
        "max_drawdown", "calmar", "turnover", "trades", "exposure", "benchmark", "equity",
        "weights"}


def run(args):
    r = CliRunner().invoke(cli, args)
    return r.exit_code, r.stdout, r.stderr


def test_backtest_json_and_tear_sheet(loaded_store, tmp_path):
    out = tmp_path / "report"
    code, stdout, err = run(["--home", str(loaded_store.home), "backtest",
                             str(EX / "regime-gated.yaml"), "--from", "2015-01-01", "--to",
                             "2019-12-31", "--json", "--out", str(out)])
    assert code == 0, err
    doc = json.loads(stdout)
    assert doc["from"] == "2015-01-02" and doc["to"] == "2019-12-31"
    assert [s["id"] for s in doc["strategies"]] == ["spy-unless-breakdown",
                                                    "sector-momentum-gated"]
    for s in doc["strategies"]:
        assert set(s) >= KEYS
        assert set(s["benchmark"]) >= KEYS - {"id", "benchmark", "equity", "weights"}
        eq = s["equity"]
        assert next(iter(eq.values())) == 1.0 and list(eq)[0] == "2015-01-02"
        assert list(eq)[-1] == "2019-12-31"
        assert abs(list(eq.values())[-1] - 1 - s["total_return"]) < 1e-12
        for w in s["weights"].values():
            assert abs(sum(w.values()) - 1) < 1e-9  # CASH included
    html = (out / "backtest.html").read_text()
    assert html.count("<img") == 10 and "Monthly returns" in html
    assert json.loads((out / "backtest.json").read_text()) == doc


def test_backtest_grid(loaded_store):
    code, stdout, err = run(["--home", str(loaded_store.home), "backtest",
                             str(EX / "rotation.yaml"), "--strategy", "sector-momentum",
                             "--from", "2012-01-01", "--grid", "top=1..3", "--grid",
                             "lookback=1m,3m", "--json"])
    assert code == 0, err
    doc = json.loads(stdout)
    assert len(doc["combinations"]) == 6
    assert {(c["top"], c["lookback"]) for c in doc["combinations"]} == {
        (t, lb) for t in (1, 2, 3) for lb in (21, 63)}
    assert 0 <= doc["deflated_sharpe"]["dsr"] <= 1
    assert doc["walk_forward"]
    # the grid point equal to the file's strategy matches the plain run
    code, plain, _ = run(["--home", str(loaded_store.home), "backtest",
                          str(EX / "rotation.yaml"), "--strategy", "sector-momentum",
                          "--from", "2012-01-01", "--json"])
    s = json.loads(plain)["strategies"][0]
    row = next(c for c in doc["combinations"] if c["top"] == 3 and c["lookback"] == 63)
    assert abs(row["sharpe"] - s["sharpe"]) < 1e-9
    assert abs(row["total_return"] - s["total_return"]) < 1e-9


def test_backtest_errors(loaded_store, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nstrategies:\n  - id: a\n    when: close(NOPE) > 1\n"
                   "    hold: {SPY: 1}\n")
    code, _, err = run(["--home", str(loaded_store.home), "backtest", str(bad)])
    assert code == EXIT_RULES and f"{bad}:4:17" in err and "NOPE" in err
    code, _, err = run(["--home", str(loaded_store.home), "backtest", str(EX / "rotation.yaml"),
                        "--grid", "top=1..3"])
    assert code == EXIT_USAGE and "--strategy" in err
    code, _, err = run(["--home", str(loaded_store.home), "backtest", str(EX / "rotation.yaml"),
                        "--from", "2020-01-01", "--to", "2019-01-01"])
    assert code == EXIT_USAGE


def test_regime_evaluate_json(loaded_store):
    code, stdout, err = run(["--home", str(loaded_store.home), "regime", "evaluate", "--from",
                             "2007-01-01", "--boot", "200", "--json"])
    assert code == 0, err
    doc = json.loads(stdout)
    assert doc["from"].startswith("2007-01") and doc["flips_per_year"] > 0
    assert doc["base_rates"]["spy_3m"]["n"] > 4000
    v = doc["verdicts"][0]
    assert {"share", "spells", "mean_length", "forward"} <= set(v)
    assert set(v["forward"]) == {"spy_1m", "spy_3m", "spy_worst_3m", "rsp_spy_3m", "iwm_qqq_3m"}
