"""`rotascope scan` on the real data store: JSON shape, table, files, exit codes."""

from __future__ import annotations

import json

from click.testing import CliRunner

from rotascope.errors import EXIT_DATA, EXIT_RULES
from rotascope.outputs.cli.main import cli


def _run(loaded_store, *args: str):
    return CliRunner().invoke(cli, ["--home", str(loaded_store.home), "scan", *args])


def test_json_has_exactly_the_documented_keys(loaded_store) -> None:
    r = _run(loaded_store, "close($) > sma($, 50)", "--as-of", "2024-06-28", "--json",
             "--sort", "rsi($, 14)", "--limit", "3")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert list(out) == ["as_of", "universe", "condition", "evaluated", "matches", "values"]
    assert out["as_of"] == "2024-06-28" and out["universe"] == "sp500"
    assert len(out["matches"]) == 3 and list(out["values"]) == out["matches"]
    first = out["values"][out["matches"][0]]
    assert set(first) == {"close($)", "sma($, 50)", "rsi($, 14)"}
    assert first["close($)"] > first["sma($, 50)"]


def test_window_adds_entries_and_table_renders(loaded_store) -> None:
    r = _run(loaded_store, "close($) crosses_above sma($, 50)", "--from", "2024-06-03",
             "--to", "2024-06-28", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert "entries" in out and all(d >= "2024-06-03" for ds in out["entries"].values()
                                    for d in ds)
    r = _run(loaded_store, "close($) > sma($, 50) and rsi($, 14) > 75", "--as-of",
             "2024-06-28")
    assert r.exit_code == 0, r.output
    assert "members match on 2024-06-28" in r.output and "rsi($, 14)" in r.output


def test_errors_have_rule_and_data_exit_codes(loaded_store) -> None:
    r = _run(loaded_store, "close($) > smaa($, 50)")
    assert r.exit_code == EXIT_RULES and "unknown function 'smaa'" in r.output
    r = _run(loaded_store, "close($) > sma($, 50)", "--universe", "nowhere")
    assert r.exit_code == EXIT_DATA and "unknown universe 'nowhere'" in r.output


def test_named_scans_from_a_file(loaded_store, tmp_path) -> None:
    f = tmp_path / "scans.yaml"
    f.write_text("scans:\n"
                 "  - name: above50\n    condition: close($) > sma($, 50)\n    limit: 2\n"
                 "  - name: hot\n    condition: rsi($, 14) > 70\n    universe: sp500\n")
    r = _run(loaded_store, "--file", str(f), "--as-of", "2024-06-28", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert [s["name"] for s in out["scans"]] == ["above50", "hot"]
    assert len(out["scans"][0]["matches"]) == 2
    r = _run(loaded_store, "--file", str(f), "--name", "hot", "--as-of", "2024-06-28",
             "--json")
    assert json.loads(r.stdout)["condition"] == "rsi($, 14) > 70"
