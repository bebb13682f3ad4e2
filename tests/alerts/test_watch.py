"""`rotascope watch`: runs the alerts on a schedule and stops cleanly on SIGTERM/SIGINT."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading

import pandas as pd
import pytest

from rotascope.data.store import Store
from rotascope.errors import EXIT_RULES
from rotascope.outputs.alerts.runner import parse_every, watch

from .conftest import series_data, write_rules, write_store

DAYS = pd.bdate_range("2024-03-01", periods=3)


@pytest.fixture()
def setup(tmp_path):
    home = tmp_path / "home"
    write_store(home / "store.duckdb", {"AAA": pd.Series([9.0, 9.0, 12.0], index=DAYS)})
    out = tmp_path / "alerts.jsonl"
    rules = write_rules(tmp_path / "rules.yaml", f"""
        channels:
          file: {{type: jsonl, path: '{out}'}}
        rules:
          - id: aaa-above-10
            channels: [file]
            condition: close(AAA) > 10
        """)
    return home, rules, out


def _lines(stream, q):
    for line in iter(stream.readline, ""):
        q.put(line)
    q.put(None)


def wait_for(q, text, timeout=120):
    seen = []
    while True:
        try:
            line = q.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no {text!r} in: {''.join(seen)}") from None
        if line is None:
            raise AssertionError(f"process ended before {text!r}: {''.join(seen)}")
        seen.append(line)
        if text in line:
            return seen


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_watch_runs_then_stops_cleanly_on_a_signal(setup, sig):
    home, rules, out = setup
    proc = subprocess.Popen([sys.executable, "-m", "rotascope", "--home", str(home), "watch",
                             "--every", "1h", "--no-update", str(rules)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ})
    q: queue.Queue = queue.Queue()
    threading.Thread(target=_lines, args=(proc.stderr, q), daemon=True).start()
    try:
        seen = wait_for(q, "waiting")
        assert any("as of 2024-03-05: 1 fired, 1 delivered, 0 pending" in s for s in seen), seen
        proc.send_signal(sig)
        proc.wait(timeout=60)
        rest = []
        while (line := q.get(timeout=10)) is not None:
            rest.append(line)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, rest
    assert rest[-1].strip() == "stopped"
    assert any(signal.Signals(sig).name in line for line in rest)
    # the store was closed cleanly: it opens for writing at once
    with Store(home / "store.duckdb", wait=0) as s:
        assert s.con.execute("SELECT count(*) FROM alert_state").fetchone()[0] == 1
    assert [json.loads(x)["date"] for x in out.read_text().splitlines()] == ["2024-03-05"]


def test_watch_updates_then_runs_each_cycle(setup):
    """Each cycle: the update step writes a new day, then the alerts run on it."""
    home, rules, out = setup
    new_days = pd.bdate_range(DAYS[-1], periods=3)[1:]
    closes = [9.0, 9.0, 12.0]
    updates = [9.0, 13.0]          # day 4 re-arms (9 < 10), day 5 fires again (13 > 10)

    def update(store):
        closes.append(updates[len(closes) - 3])
        idx = DAYS.append(new_days[: len(closes) - 3])
        store.import_series(series_data({"AAA": pd.Series(closes, index=idx)}))
        return None

    def open_store():
        return Store(home / "store.duckdb")

    stop = threading.Event()
    messages: list[str] = []
    with Store(home / "store.duckdb") as s:   # the state before watching: fired on day 3
        from rotascope.outputs.alerts.rules import load_rules
        from rotascope.outputs.alerts.runner import run

        run(load_rules(rules, store=s), s, DAYS[2])
    cycles = watch(rules, open_store, every=0.0, stop=stop, echo=messages.append,
                   update=update, max_cycles=2)
    assert cycles == 2 and len(closes) == 5
    runs = [m for m in messages if m.startswith("as of")]
    assert runs == ["as of 2024-03-06: 0 fired, 0 delivered, 0 pending",
                    "as of 2024-03-07: 1 fired, 1 delivered, 0 pending"], messages
    assert [json.loads(x)["date"] for x in out.read_text().splitlines()] == [
        "2024-03-05", "2024-03-07"]


def test_watch_fails_fast_on_a_malformed_file(setup, tmp_path):
    home, rules, out = setup
    bad = write_rules(tmp_path / "bad.yaml", """
        rules:
          - id: x
            condition: close(AAA) >
        """)
    done = subprocess.run([sys.executable, "-m", "rotascope", "--home", str(home), "watch",
                           "--no-update", str(bad)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == EXIT_RULES
    assert f"{bad}:3:28" in done.stderr


def test_parse_every():
    assert parse_every("90s") == 90 and parse_every("15m") == 900
    assert parse_every("1h") == 3600 and parse_every("2d") == 172800
    for bad in ("0s", "-1h", "soon", ""):
        with pytest.raises(ValueError):
            parse_every(bad)
