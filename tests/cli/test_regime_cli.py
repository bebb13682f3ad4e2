"""rotascope regime: verdict JSON, replay, chart, rules errors."""

from __future__ import annotations

import json

from click.testing import CliRunner

from rotascope.analysis.regime import VERDICTS
from rotascope.errors import EXIT_DATA
from rotascope.outputs.cli.main import cli


def run(args: list[str]) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, args)
    return r.exit_code, r.stdout, r.stderr


def test_regime_json(loaded_store) -> None:
    code, out, _ = run(["--home", str(loaded_store.home), "regime", "--as-of", "2022-06-30",
                        "--json"])
    assert code == 0
    doc = json.loads(out)
    assert doc["as_of"] == "2022-06-30" and doc["verdict"] in VERDICTS
    assert 0.0 <= doc["confidence"] <= 1.0
    ids = [e["id"] for e in doc["evidence"]]
    assert "breadth_50" in ids and "credit" in ids
    b50 = next(e for e in doc["evidence"] if e["id"] == "breadth_50")
    assert b50["vote"] is not None  # sp500 universe is loaded: breadth votes
    assert b50["group"] == "participation"
    assert b50["lean"] in {"broad", "narrow", "neutral"}


def test_regime_replay_and_chart(loaded_store, tmp_path) -> None:
    chart = tmp_path / "regime.png"
    code, out, _ = run(["--home", str(loaded_store.home), "regime", "--from", "2020-01-01",
                        "--to", "2020-12-31", "--chart", str(chart), "--json"])
    assert code == 0
    doc = json.loads(out)
    dates = [c["date"] for c in doc["changes"]]
    assert dates == sorted(dates) and dates[0] >= "2020-01-01" and dates[-1] <= "2020-12-31"
    assert "broad breakdown" in {c["verdict"] for c in doc["changes"]}
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_regime_bad_rules_file(loaded_store, tmp_path) -> None:
    bad = tmp_path / "rules.yaml"
    bad.write_text("signals:\n  x:\n    group: nope\n")
    code, _, err = run(["--home", str(loaded_store.home), "regime", "--rules", str(bad)])
    assert code == EXIT_DATA
    assert "rules.yaml" in err and "signals.x.group" in err
