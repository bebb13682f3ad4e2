"""Webhook delivery against a real HTTP server on 127.0.0.1 that fails the first attempts."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging

import pandas as pd
import pytest
from click.testing import CliRunner

from rotascope.data.store import Store
from rotascope.outputs.alerts.rules import load_rules
from rotascope.outputs.alerts.runner import run
from rotascope.outputs.alerts.state import AlertStore
from rotascope.outputs.cli.main import cli

from .conftest import write_rules, write_store
from .servers import webhook_server

DAYS = pd.bdate_range("2024-03-01", periods=4)
SECRET = "whsec-7f3a-very-secret"


@pytest.fixture()
def store(tmp_path):
    a = pd.Series([9.0, 11.0, 12.0, 13.0], index=DAYS)
    return write_store(tmp_path / "home" / "store.duckdb", {"AAA": a})


def hook_rules(tmp_path, url, extra=""):
    return write_rules(tmp_path / "rules.yaml", f"""
        namespace: hooks
        channels:
          hook:
            type: webhook
            url: {url}
            secret_env: TEST_HOOK_SECRET
            retries: 4
            backoff: 0.01
            timeout: 5
            {extra}
        rules:
          - id: aaa-above-10
            severity: warning
            channels: [hook]
            condition: close(AAA) > 10
        """)


def valid_signature(record) -> bool:
    expected = "sha256=" + hmac.new(SECRET.encode(), record["body"], hashlib.sha256).hexdigest()
    return hmac.compare_digest(record["headers"]["x-rotascope-signature"], expected)


def test_alert_arrives_exactly_once_after_retries_with_a_valid_signature(tmp_path, store,
                                                                         monkeypatch):
    monkeypatch.setenv("TEST_HOOK_SECRET", SECRET)
    with webhook_server(fail_first=3) as (url, got):
        rules = hook_rules(tmp_path, url)
        args = ["--home", str(store.parent), "alerts", "run", str(rules), "--as-of",
                "2024-03-04"]
        res = CliRunner().invoke(cli, args)
        assert res.exit_code == 0, res.output
        assert len(got.requests) == 4 and len(got.accepted) == 1
        again = CliRunner().invoke(cli, args)        # a re-run sends nothing more
        assert again.exit_code == 0
        assert len(got.requests) == 4
    ids = {r["headers"]["x-rotascope-delivery"] for r in got.requests}
    assert len(ids) == 1                              # every retry: same delivery id
    record = got.accepted[0]
    assert all(valid_signature(r) for r in got.requests)
    assert record["headers"]["content-type"] == "application/json"
    assert record["headers"]["idempotency-key"] == record["json"]["delivery_id"]
    assert record["headers"]["x-rotascope-delivery"] == record["json"]["delivery_id"]
    body = record["json"]
    assert (body["rule"], body["date"], body["severity"]) == ("aaa-above-10", "2024-03-04",
                                                              "warning")
    assert body["values"] == {"close(AAA)": 11.0}
    assert body["condition"] == "close(AAA) > 10"
    # the body is exactly the canonical JSON that was signed
    assert record["body"] == json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    with Store(store, read_only=True) as s:
        d = AlertStore(s).deliveries("hooks")
    assert d.status.tolist() == ["delivered"] and d.attempts.tolist() == [4]


def test_backoff_doubles_and_is_capped(tmp_path, store, monkeypatch):
    monkeypatch.setenv("TEST_HOOK_SECRET", SECRET)
    waits: list[float] = []
    with webhook_server(fail_first=4, status=500) as (url, got):
        rules = hook_rules(tmp_path, url).read_text().replace("backoff: 0.01",
                                                              "backoff: 0.5\n    max_backoff: 1.5")
        path = tmp_path / "r2.yaml"
        path.write_text(rules)
        with Store(store) as s:
            result = run(load_rules(path, store=s), s, DAYS[1], sleep=waits.append)
    assert waits == [0.5, 1.0, 1.5, 1.5]
    assert result.delivery.delivered == 1 and len(got.requests) == 5


def test_a_timeout_is_retried(tmp_path, store, monkeypatch):
    monkeypatch.setenv("TEST_HOOK_SECRET", SECRET)
    with webhook_server(hang_first=4.0) as (url, got):
        path = tmp_path / "r.yaml"
        path.write_text(hook_rules(tmp_path, url).read_text().replace("timeout: 5",
                                                                      "timeout: 1"))
        with Store(store) as s:
            result = run(load_rules(path, store=s), s, DAYS[1], sleep=lambda _: None)
            d = AlertStore(s).deliveries("hooks")
    assert result.delivery.delivered == 1
    assert len(got.requests) >= 2 and len(got.accepted) == 1   # the first one timed out
    assert d.attempts.iloc[0] == len(got.requests)
    assert {r["headers"]["x-rotascope-delivery"] for r in got.requests} == {
        got.accepted[0]["headers"]["x-rotascope-delivery"]}


def test_client_errors_are_not_retried_and_stay_pending_without_leaking_secrets(
        tmp_path, store, monkeypatch, caplog):
    token_url_env = "TEST_HOOK_URL"
    with webhook_server(fail_first=99, status=401) as (url, got):
        monkeypatch.setenv("TEST_HOOK_SECRET", SECRET)
        monkeypatch.setenv(token_url_env, url + "?token=tok-123-secret")
        path = tmp_path / "r.yaml"
        path.write_text(hook_rules(tmp_path, url).read_text().replace(
            f"url: {url}", f"url_env: {token_url_env}"))
        caplog.set_level(logging.INFO, logger="rotascope.alerts")
        logging.getLogger("rotascope.alerts").propagate = True
        with Store(store) as s:
            result = run(load_rules(path, store=s), s, DAYS[1], sleep=lambda _: None)
            d = AlertStore(s).deliveries("hooks")
    assert len(got.requests) == 1                      # 401: no retry
    assert result.delivery.delivered == 0 and result.delivery.pending == 1
    assert d.status.tolist() == ["pending"] and "HTTP 401" in d.last_error.iloc[0]
    text = "\n".join([*result.delivery.failed, caplog.text, *d.last_error.astype(str)])
    assert "HTTP 401" in caplog.text
    for secret in (SECRET, "tok-123-secret", "token="):
        assert secret not in text


def test_missing_secret_env_keeps_the_alert_pending(tmp_path, store, monkeypatch):
    monkeypatch.delenv("TEST_HOOK_SECRET", raising=False)
    with webhook_server() as (url, got):
        path = hook_rules(tmp_path, url)
        with Store(store) as s:
            result = run(load_rules(path, store=s), s, DAYS[1])
    assert got.requests == []
    assert result.delivery.pending == 1
    assert "TEST_HOOK_SECRET not set" in result.delivery.failed[0]
