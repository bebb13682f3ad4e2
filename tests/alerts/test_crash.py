"""A process killed with SIGKILL between firing and delivery: after a restart the alert
is delivered exactly once, and nothing fires twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading

import pandas as pd

from rotascope.data.store import Store
from rotascope.outputs.alerts.state import AlertStore

from .conftest import write_rules, write_store
from .servers import webhook_server

DAYS = pd.bdate_range("2024-03-01", periods=3)


def rules_text(url: str, out: str) -> str:
    return f"""
        namespace: crash
        channels:
          hook: {{type: webhook, url: '{url}', secret_env: CRASH_SECRET, timeout: 60,
                  retries: 0}}
          file: {{type: jsonl, path: '{out}'}}
        rules:
          - id: aaa-above-10
            channels: [hook, file]
            condition: close(AAA) > 10
        """


def test_sigkill_between_firing_and_delivery_delivers_exactly_once_after_restart(tmp_path):
    home = tmp_path / "home"
    store = write_store(home / "store.duckdb",
                        {"AAA": pd.Series([9.0, 11.0, 12.0], index=DAYS)})
    out = tmp_path / "alerts.jsonl"
    rules = tmp_path / "rules.yaml"
    env = {**os.environ, "CRASH_SECRET": "k1ll-secret"}
    cmd = [sys.executable, "-m", "rotascope", "--home", str(home), "alerts", "run",
           str(rules), "--as-of", "2024-03-04"]

    # 1. The receiver never answers: the process has fired (committed) and is stuck
    #    delivering when it is killed.
    with webhook_server(hang_forever=threading.Event()) as (url, got):
        write_rules(rules, rules_text(url, str(out)))
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            assert got.first_request.wait(60), proc.communicate(timeout=5)
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == -signal.SIGKILL
    first_attempt = got.requests[0]["headers"]["x-rotascope-delivery"]
    with Store(store, read_only=True) as s:
        before = AlertStore(s).deliveries("crash")
    assert before.rule_id.tolist() == ["aaa-above-10"] * 2      # the firing was committed
    assert before.set_index("channel").status["hook"] == "pending"

    # 2. Restart with a receiver that answers: the pending alert goes out once.
    with webhook_server() as (url, got2):
        write_rules(rules, rules_text(url, str(out)))
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert "0 fired" in done.stderr
        again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        assert again.returncode == 0, again.stderr
    assert len(got2.requests) == 1 and len(got2.accepted) == 1
    assert got2.accepted[0]["headers"]["x-rotascope-delivery"] == first_attempt
    assert len([json.loads(x) for x in out.read_text().splitlines()]) == 1
    with Store(store, read_only=True) as s:
        after = AlertStore(s).deliveries("crash")
        n_alerts = s.con.execute("SELECT count(*) FROM alert_outbox").fetchone()[0]
    assert n_alerts == 1
    assert after.status.tolist() == ["delivered", "delivered"]
