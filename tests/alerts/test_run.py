"""`alerts run`: edge state in the store, exactly-once outbox, failing channels, gaps."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from rotascope.data.store import Store
from rotascope.errors import EXIT_NETWORK
from rotascope.outputs.alerts.rules import load_rules
from rotascope.outputs.alerts.runner import backtest, run
from rotascope.outputs.alerts.state import AlertStore
from rotascope.outputs.cli.main import cli

from .conftest import write_rules, write_store

DAYS = pd.bdate_range("2024-03-01", periods=12)


def lines(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(x) for x in path.read_text().splitlines()]


@pytest.fixture()
def setup(tmp_path):
    """AAA crosses 10 upward on days 3 and 8; BBB has no row on day 10."""
    a = pd.Series([9, 9, 11, 12, 9, 8, 9, 12, 13, 14, 9, 11], index=DAYS, dtype=float)
    b = pd.Series(100.0, index=DAYS).drop(DAYS[9])
    store = write_store(tmp_path / "home" / "store.duckdb", {"AAA": a, "BBB": b})
    out = tmp_path / "alerts.jsonl"
    rules = write_rules(tmp_path / "rules.yaml", f"""
        namespace: t
        channels:
          file: {{type: jsonl, path: {out}}}
        defaults: {{channels: [file]}}
        rules:
          - id: above
            severity: warning
            condition: close(AAA) > 10
          - id: both
            condition: close(AAA) > 10 and close(BBB) > 50
        """)
    return store, rules, out


def run_at(store_path, rules, day, **kw):
    with Store(store_path) as store:
        rs = load_rules(rules, store=store)
        return run(rs, store, day, **kw)


def test_run_fires_once_and_a_rerun_fires_and_sends_nothing(setup):
    store, rules, out = setup
    r1 = run_at(store, rules, DAYS[2])
    assert [(f.rule_id, f.date) for f in r1.fired] == [("above", DAYS[2]), ("both", DAYS[2])]
    assert r1.delivery.delivered == 2 and r1.delivery.pending == 0
    got = lines(out)
    assert [(g["rule"], g["date"], g["severity"]) for g in got] == [
        ("above", "2024-03-05", "warning"), ("both", "2024-03-05", "info")]
    assert got[0]["values"] == {"close(AAA)": 11.0}
    assert got[0]["delivery_id"] != got[1]["delivery_id"]
    r2 = run_at(store, rules, DAYS[2])
    assert r2.fired == () and r2.delivery.delivered == 0
    r3 = run_at(store, rules, DAYS[3])  # still true: no new firing
    assert r3.fired == ()
    assert len(lines(out)) == 2


def test_a_gap_between_runs_fires_every_edge_with_its_own_date(setup):
    store, rules, out = setup
    run_at(store, rules, DAYS[0])
    r = run_at(store, rules, DAYS[11])
    assert sorted((f.rule_id, f"{f.date:%d}") for f in r.fired) == [
        ("above", "05"), ("above", "12"), ("above", "18"), ("both", "05"), ("both", "12"),
        ("both", "18")]
    with Store(store, read_only=True) as s:
        bt = backtest(load_rules(rules, store=s), s, DAYS[1], DAYS[11])
    fired = sorted((f.rule_id, f.date) for f in r.fired)
    assert fired == sorted((rid, d) for rid, ds in bt.fired.items() for d in ds)
    # 'both' is unknown on day 10 (no BBB row): it neither fires nor re-arms there
    assert DAYS[10] not in bt.fired["both"] and DAYS[11] in bt.fired["both"]
    assert [(g["rule"], g["date"]) for g in lines(out)] == [
        (f.rule_id, f"{f.date:%Y-%m-%d}") for f in sorted(r.fired, key=lambda f: (f.date,
                                                                                   f.rule_id))]


def test_late_data_fires_with_its_date(tmp_path):
    """A condition unknown on the run date (its ticker had no row yet) is re-read later."""
    a = pd.Series([9.0, 9.0, 9.0], index=DAYS[:3])
    b = pd.Series([1.0, 1.0], index=DAYS[:2])
    path = write_store(tmp_path / "s.duckdb", {"AAA": a, "BBB": b})
    rules = write_rules(tmp_path / "r.yaml", """
        rules:
          - id: r
            condition: close(BBB) > 5
        """)
    assert run_at(path, rules, DAYS[2]).fired == ()          # BBB unknown on day 3
    write_store(path, {"BBB": pd.Series([1.0, 1.0, 7.0, 7.0], index=DAYS[:4]),
                       "AAA": pd.Series([9.0] * 4, index=DAYS[:4])})
    r = run_at(path, rules, DAYS[3])
    assert [f.date for f in r.fired] == [DAYS[2]]             # fired, dated day 3


def test_editing_a_condition_resets_its_state(setup):
    store, rules, out = setup
    run_at(store, rules, DAYS[3])
    text = rules.read_text().replace("close(AAA) > 10\n", "close(AAA) > 11.5\n")
    rules.write_text(text)
    r = run_at(store, rules, DAYS[4])  # AAA 9: false, and no replay of the past
    assert r.fired == ()
    r = run_at(store, rules, DAYS[7])  # AAA 12 > 11.5 on day 8
    assert [(f.rule_id, f.date) for f in r.fired] == [("above", DAYS[7]), ("both", DAYS[7])]


def test_one_failing_channel_never_blocks_the_others(setup, tmp_path, monkeypatch):
    store, rules, out = setup
    rules.write_text(rules.read_text().replace(
        "defaults: {channels: [file]}",
        "  hook: {type: webhook, url: 'http://127.0.0.1:9/x', secret_env: T_SECRET,\n"
        "         retries: 1, backoff: 0, timeout: 2}\n"
        "defaults: {channels: [hook, file]}"))
    monkeypatch.setenv("T_SECRET", "s3cr3t-value")
    home = store.parent
    res = CliRunner().invoke(cli, ["--home", str(home), "alerts", "run", str(rules),
                                   "--as-of", f"{DAYS[2]:%Y-%m-%d}"])
    assert res.exit_code == EXIT_NETWORK, res.output
    assert "2 delivered, 2 pending" in res.output
    assert "s3cr3t-value" not in res.output
    assert len(lines(out)) == 2                     # the file got both alerts
    with Store(store, read_only=True) as s:
        d = AlertStore(s).deliveries("t")
    hook = d[d.channel == "hook"]
    assert (hook.status == "pending").all()
    assert hook.attempts.tolist() == [2, 0]         # 1 + 1 retry; the 2nd was not tried
    assert "ConnectError" in hook.last_error.iloc[0] and "127.0.0.1:9/x" in hook.last_error.iloc[0]
    assert (d[d.channel == "file"].status == "delivered").all()


def test_a_channel_removed_from_the_file_keeps_its_alerts_pending(setup):
    store, rules, out = setup
    text = rules.read_text()
    rules.write_text(text.replace("defaults: {channels: [file]}",
                                  "  gone: {type: jsonl, path: gone.jsonl}\n"
                                  "defaults: {channels: [file, gone]}"))
    run_at(store, rules, DAYS[0])
    with Store(store) as s:
        rs = load_rules(rules, store=s)
        from rotascope.outputs.alerts.runner import fire
        fire(rs, s, DAYS[2])  # fired and committed, not delivered yet
    rules.write_text(text)
    r = run_at(store, rules, DAYS[2])
    assert r.delivery.delivered == 2 and r.delivery.pending == 2
    assert any("'gone' is no longer defined" in m for m in r.delivery.failed)


def test_cli_run_json(setup):
    store, rules, out = setup
    res = CliRunner().invoke(cli, ["--home", str(store.parent), "alerts", "run", str(rules),
                                   "--as-of", f"{DAYS[2]:%Y-%m-%d}", "--json"])
    assert res.exit_code == 0, res.output
    got = json.loads(res.stdout)
    assert got["as_of"] == "2024-03-05"
    assert [(f["id"], f["date"]) for f in got["fired"]] == [("above", "2024-03-05"),
                                                            ("both", "2024-03-05")]
    assert (got["delivered"], got["pending"], got["failed"]) == (2, 0, [])
    assert np.all([len(f["alert_id"]) == 32 for f in got["fired"]])
