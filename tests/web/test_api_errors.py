"""API errors: the CLI's message and exit code as JSON, HTTP status by exit-code class;
guards: token, cross-site POSTs, Host header, upload size; the token never logged."""

from __future__ import annotations

import json
import logging

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from rotascope.outputs.cli.main import cli
from rotascope.outputs.web.app import create_app

TOKEN = "s3cret-token-value-123"


@pytest.mark.parametrize(("args", "url", "status"), [
    (["ratio", "NOPE", "SPY"], "/api/v1/ratio?numerator=NOPE&denominator=SPY", 404),
    (["leaders", "nowhere"], "/api/v1/leaders?universe=nowhere", 404),
    (["leaders", "sectors", "--window", "7q"], "/api/v1/leaders?universe=sectors&window=7q", 400),
    (["perf", "SPY", "--windows", "bogus"], "/api/v1/perf?tickers=SPY&windows=bogus", 400),
])
def test_error_message_and_status_match_cli(client, web_home, args, url, status):
    result = CliRunner().invoke(cli, ["--home", str(web_home.home), *args, "--json"])
    resp = client.get(url)
    assert resp.status_code == status
    body = resp.json()
    assert body["exit_code"] == result.exit_code
    assert result.stderr.strip() == f"error: {body['error']}"


def test_bad_date_and_missing_parameter_are_400(client):
    r = client.get("/api/v1/ratio?numerator=MAGS&denominator=SPY&as_of=someday")
    assert r.status_code == 400 and r.json()["exit_code"] == 2
    assert "someday" in r.json()["error"]
    r = client.get("/api/v1/perf")
    assert r.status_code == 400 and "tickers" in r.json()["error"]


def test_rule_error_is_422(client, web_home, tmp_path):
    bad = web_home.home / "alerts" / "broken.yaml"
    bad.write_text("version: 1\nrules:\n  - id: x\n    when: ratio(RSP, SPY).nope > (\n")
    try:
        r = client.get("/api/v1/alerts?rules=broken.yaml")
        assert r.status_code == 422, r.text
        assert r.json()["exit_code"] == 6
    finally:
        bad.unlink()


def test_scan_condition_error_is_422_with_the_cli_message(client, web_home):
    from click.testing import CliRunner

    from rotascope.outputs.cli.main import cli

    r = client.get("/api/v1/scan", params={"condition": "close($) > smaa($, 50)"})
    assert r.status_code == 422, r.text
    body = r.json()
    cli_run = CliRunner().invoke(cli, ["--home", str(web_home.home), "scan",
                                       "close($) > smaa($, 50)", "--json"])
    assert body["exit_code"] == cli_run.exit_code == 6
    assert body["error"] in cli_run.stderr
    assert "sma" in body["error"]  # did you mean


def test_store_busy_is_409(web_home, monkeypatch):
    from rotascope.errors import StoreBusyError
    from rotascope.outputs.web import access

    def busy(self, **kw):
        raise StoreBusyError("the store is in use by another process")

    monkeypatch.setattr(access.StoreAccess, "store", busy)
    with TestClient(create_app(web_home)) as c:
        r = c.get("/api/v1/alerts/state")
    assert r.status_code == 409 and r.json()["exit_code"] == 4


def test_library_files_cannot_leave_their_folder(client, web_home, tmp_path):
    outside = tmp_path / "secret.yaml"
    outside.write_text("version: 1\nrules: []\n")
    link = web_home.home / "alerts" / "link.yaml"
    link.symlink_to(outside)
    try:
        for name in ("../strategies/rotation.yaml", "link.yaml", str(outside)):
            r = client.get("/api/v1/alerts", params={"rules": name})
            assert r.status_code == 400, (name, r.text)
            assert "outside" in r.json()["error"]
    finally:
        link.unlink()
    assert client.get("/api/v1/alerts?rules=none.yaml").status_code == 404


def test_token_required_and_never_logged(web_home, caplog):
    caplog.set_level(logging.DEBUG)
    with TestClient(create_app(web_home, token=TOKEN)) as c:
        assert c.get("/api/v1/ratio?numerator=RSP&denominator=SPY").status_code == 401
        r = c.get("/")
        assert r.status_code == 401 and "token" in r.text and TOKEN not in r.text
        assert c.get("/api/v1/signals?ticker=SPY",
                      headers={"Authorization": "Bearer wrong"}).status_code == 401
        ok = c.get("/api/v1/signals?ticker=SPY", headers={"Authorization": f"Bearer {TOKEN}"})
        assert ok.status_code == 200
        # a cached answer is never replayed without the token
        assert c.get("/api/v1/signals?ticker=SPY").status_code == 401
        # the login form sets an HttpOnly, Secure, SameSite cookie holding no token
        login = c.post("/login", data={"token": TOKEN, "next": "/api/v1/alerts/state"},
                       follow_redirects=False)
        assert login.status_code == 303
        cookie = login.headers["set-cookie"]
        assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=strict" in cookie
        assert TOKEN not in cookie
        name, value = cookie.split(";")[0].split("=", 1)
        c.cookies.set(name, value)
        assert c.get("/api/v1/alerts/state").status_code == 200
        assert c.post("/login", data={"token": "nope"}).status_code == 401
        for evil in ("//evil.example/", "/\\evil.example/", "https://evil.example/"):
            r = c.post("/login", data={"token": TOKEN, "next": evil}, follow_redirects=False)
            assert r.headers["location"] == "/", evil
    assert TOKEN not in caplog.text


def test_cross_site_post_refused(client):
    data = {"text": "SPY rose 2% last week."}
    r = client.post("/api/v1/check", data=data, headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    r = client.post("/api/v1/check", data=data, headers={"Sec-Fetch-Site": "cross-site"})
    assert r.status_code == 403
    r = client.post("/api/v1/check", data=data, headers={"Origin": "http://testserver",
                                                         "Sec-Fetch-Site": "same-origin"})
    assert r.status_code == 200


def test_foreign_host_refused_without_token(client):
    r = client.get("/api/v1/alerts/state", headers={"Host": "rebind.example:8000"})
    assert r.status_code == 403


def test_upload_size_limit(web_home):
    with TestClient(create_app(web_home, max_body=1000)) as c:
        r = c.post("/api/v1/check", data={"text": "x" * 5000})
        assert r.status_code == 413
        assert json.loads(r.text)["error"].startswith("request body larger")


def test_openapi_and_offline_docs(client):
    spec = client.get("/openapi.json").json()
    assert {"/api/v1/ratio", "/api/v1/check", "/api/v1/events"} <= set(spec["paths"])
    docs = client.get("/docs").text
    assert "cdn" not in docs.lower() and "/static-offline-docs/" in docs


def test_serve_refuses_public_host_without_token(monkeypatch):
    monkeypatch.delenv("ROTASCOPE_TEST_TOKEN", raising=False)
    r = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0"])
    assert r.exit_code == 2 and "token" in r.stderr
    r = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--token-env",
                                 "ROTASCOPE_TEST_TOKEN"])
    assert r.exit_code == 2 and "ROTASCOPE_TEST_TOKEN" in r.stderr


def test_cached_answers_follow_the_store(web_home, tmp_path):
    """A warm GET is replayed from the cache; a write to the store invalidates it."""
    import shutil

    from rotascope.config import Settings
    from rotascope.data.store import Store

    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(web_home.store_path.resolve(), home / "store.duckdb")
    with TestClient(create_app(Settings(home=home))) as c:
        url = "/api/v1/perf?tickers=SPY&windows=1w"
        first = c.get(url).json()
        assert c.get(url).json() == first
        with Store(home / "store.duckdb") as store:  # drop SPY's last close
            last = first["as_of"]
            store.con.execute("DELETE FROM prices WHERE ticker = 'SPY' AND date = ?", [last])
            store.con.execute("CHECKPOINT")
        after = c.get(url).json()
        assert after["as_of"] < last and after != first
