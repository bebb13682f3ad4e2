"""``rotascope sentiment`` and ``rotascope check`` end to end (CliRunner, real store)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from rotascope.errors import EXIT_DATA, EXIT_FINDINGS
from rotascope.outputs.cli.main import COMMANDS, cli


def run(home: Path, *args: str):
    return CliRunner().invoke(cli, ["--home", str(home), *args], catch_exceptions=False)


def test_commands_are_registered() -> None:
    assert COMMANDS["sentiment"][0] == "sentiment:sentiment"
    assert COMMANDS["check"][0] == "check:check"


def test_check_json_has_exactly_the_documented_shape(loaded_store, texts: Path) -> None:
    res = run(loaded_store.home, "check", str(texts / "wrap_2026-07-10.html"), "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert list(data) == ["as_of", "claims"] and data["as_of"] == "2026-07-10"
    assert len(data["claims"]) >= 15
    first = data["claims"][0]
    assert list(first) == ["quote", "kind", "instruments", "window", "stated", "computed",
                           "tolerance", "verdict", "reason", "line", "column", "span",
                           "date_used"]
    assert first["date_used"] == "2026-07-10" and first["line"] > 1
    assert first["quote"] == "Nvidia jumped 4% on Friday" and first["instruments"] == ["NVDA"]
    assert first["kind"] == "one_day" and first["stated"] == 0.04
    assert first["window"]["end"] == "2026-07-10"
    assert "document date" in first["window"]["date_source"]
    kinds = {c["kind"] for c in data["claims"]}
    assert {"one_day", "return", "outperformance", "drawdown", "breadth", "ratio_extreme",
            "rsi", "moving_average"} <= kinds


def test_check_as_of_and_strict_exit_code(loaded_store, texts: Path) -> None:
    notes = str(texts / "notes_no_date.txt")
    res = run(loaded_store.home, "check", notes, "--as-of", "2026-07-10", "--json")
    data = json.loads(res.output)
    assert data["as_of"] == "2026-07-10" and res.exit_code == 0
    verdicts = [c["verdict"] for c in data["claims"]]
    assert "does not hold" in verdicts
    res = run(loaded_store.home, "check", notes, "--as-of", "2026-07-10", "--strict")
    assert res.exit_code == EXIT_FINDINGS
    assert "DOES NOT HOLD" in res.output and "as of 2026-07-10 (--as-of)" in res.output


def test_check_text_output_lists_verdicts_and_lines(loaded_store, texts: Path) -> None:
    res = run(loaded_store.home, "check", str(texts / "levels.txt"))
    assert res.exit_code == 0
    assert "CANNOT CHECK" in res.output and "HOLDS" in res.output
    assert "(line 4, col 5)" in res.output and "(line 7, col 1)" in res.output
    assert "cannot check: 1" in res.output


def test_check_errors(loaded_store, tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["--home", str(loaded_store.home), "check",
                                   str(tmp_path / "nope.txt")])
    assert res.exit_code == EXIT_DATA and "nope.txt: file not found" in res.output
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"ok\n\xff\n")
    res = CliRunner().invoke(cli, ["--home", str(loaded_store.home), "check", str(bad)])
    assert res.exit_code == EXIT_DATA and f"{bad}:2:" in res.output
    # An empty store: a clear message, not a traceback.
    res = CliRunner().invoke(cli, ["--home", str(tmp_path / "empty"), "check",
                                   str(loaded_store.home / "store.duckdb")])
    assert res.exit_code != 0 and "Traceback" not in res.output


def test_sentiment_json_and_table(texts: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"      # no store: built-in aliases only
    res = run(home, "sentiment", str(texts / "sentiment_tickers.md"), "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["label"] in ("positive", "neutral", "negative") and -1 <= data["score"] <= 1
    by = {i["ticker"]: i for i in data["instruments"]}
    assert by["NVDA"]["label"] == "positive" and by["TSLA"]["label"] == "negative"
    res = run(home, "sentiment", str(texts / "sentiment_negated.txt"))
    assert res.exit_code == 0
    assert "sentiment: neutral" in res.output and "not ... strong" in res.output


def test_sentiment_reads_html_and_user_aliases(texts: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "aliases.yaml").write_text("chips:\n  ticker: SOXX\n  names: [chip names]\n",
                                       encoding="utf-8")
    page = tmp_path / "p.html"
    page.write_text("<html><body><p>Chip names rallied strongly.</p>"
                    "<script>crash crash crash</script></body></html>", encoding="utf-8")
    data = json.loads(run(home, "sentiment", str(page), "--json").output)
    assert [i["ticker"] for i in data["instruments"]] == ["SOXX"]
    assert data["negative"] == 0 and data["label"] == "positive"
