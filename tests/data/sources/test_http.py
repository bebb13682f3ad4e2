"""HTTP plumbing: retries with backoff, Retry-After, offline messages, redaction."""

from __future__ import annotations

import logging
import random

import httpx
import pytest

from rotascope.data.sources._http import (
    HttpFetcher,
    RetryPolicy,
    http_date,
    redact,
    safe_url,
)
from rotascope.errors import EXIT_NETWORK, ProviderUnavailableError

URL = "https://query2.finance.yahoo.com/v8/finance/chart/AAPL"


class Recorder:
    """A fake ``sleep`` that records the waits instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def fetcher_for(handler, sleep=None, **kwargs) -> tuple[HttpFetcher, Recorder]:
    sleep = sleep or Recorder()
    client = httpx.Client(transport=httpx.MockTransport(handler))
    return HttpFetcher(client, sleep=sleep, rng=random.Random(0), **kwargs), sleep


def test_two_503_then_success_sends_exactly_three_requests_with_growing_waits():
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) <= 2:
            return httpx.Response(503, text="busy")
        return httpx.Response(200, json={"ok": True})

    fetcher, sleep = fetcher_for(handler)
    response = fetcher.get(URL, params={"interval": "1d"}, what="AAPL")
    assert response.status_code == 200
    assert response.json() == {"ok": True}
    assert len(calls) == 3
    assert len(sleep.delays) == 2
    assert sleep.delays[0] < sleep.delays[1]
    # 1 s then 2 s, each times a jitter factor in [1, 1.25)
    assert 1.0 <= sleep.delays[0] < 1.25
    assert 2.0 <= sleep.delays[1] < 2.5


def test_backoff_is_increasing_and_capped():
    policy = RetryPolicy(attempts=8, base_delay=0.5, max_delay=4.0, jitter=0.25)
    rng = random.Random(1)
    waits = [policy.backoff(k, rng) for k in range(1, 8)]
    assert all(a < b for a, b in zip(waits[:4], waits[1:4], strict=False))
    assert max(waits) < 4.0 * 1.25
    assert min(waits[3:]) >= 4.0  # capped base, jitter only adds


def test_persistent_5xx_raises_provider_unavailable_after_all_attempts():
    calls = []

    def handler(request):
        calls.append(request)
        return httpx.Response(502)

    fetcher, sleep = fetcher_for(handler, retry=RetryPolicy(attempts=4, base_delay=0.1))
    with pytest.raises(ProviderUnavailableError) as info:
        fetcher.get(URL, what="AAPL")
    assert len(calls) == 4
    assert len(sleep.delays) == 3
    msg = str(info.value)
    assert "query2.finance.yahoo.com answered HTTP 502" in msg
    assert "after 4 attempts" in msg and "AAPL" in msg
    assert info.value.exit_code == EXIT_NETWORK
    assert info.value.offline is False


def test_connect_error_gives_offline_message_after_three_attempts():
    calls = []

    def handler(request):
        calls.append(request)
        raise httpx.ConnectError("[Errno -3] Temporary failure in name resolution",
                                 request=request)

    fetcher, sleep = fetcher_for(handler)
    with pytest.raises(ProviderUnavailableError) as info:
        fetcher.get(URL, what="AAPL")
    msg = str(info.value)
    assert msg.startswith("cannot reach query2.finance.yahoo.com (offline?): ConnectError: "
                          "[Errno -3] Temporary failure in name resolution after 3 attempts")
    assert len(calls) == 3
    assert info.value.offline is True
    assert info.value.host == "query2.finance.yahoo.com"
    # the httpx error (whose request holds the full URL) is neither chained nor context
    assert info.value.__cause__ is None and info.value.__context__ is None


def test_read_timeout_is_retried_and_reported_as_slow_not_offline():
    calls = []

    def handler(request):
        calls.append(request)
        raise httpx.ReadTimeout("timed out", request=request)

    fetcher, _ = fetcher_for(handler, retry=RetryPolicy(attempts=2))
    with pytest.raises(ProviderUnavailableError) as info:
        fetcher.get(URL, what="AAPL")
    assert len(calls) == 2
    assert "did not answer in time" in str(info.value)
    assert info.value.offline is False


def test_retry_after_seconds_is_honoured():
    calls = []

    def handler(request):
        calls.append(request)
        if len(calls) == 1:
            return httpx.Response(429, headers={"Retry-After": "7"})
        return httpx.Response(200, text="ok")

    fetcher, sleep = fetcher_for(handler, retry=RetryPolicy(attempts=3, base_delay=1.0,
                                                            max_delay=30.0))
    assert fetcher.get(URL, what="AAPL").text == "ok"
    assert sleep.delays == [pytest.approx(7.0)]


def test_retry_after_http_date_is_honoured(monkeypatch):
    import rotascope.data.sources._http as h

    now = 1_790_000_000.0
    monkeypatch.setattr(h.time, "time", lambda: now)
    calls = []

    def handler(request):
        calls.append(request)
        if len(calls) == 1:
            return httpx.Response(503, headers={"Retry-After": http_date(now + 12)})
        return httpx.Response(200, text="ok")

    fetcher, sleep = fetcher_for(handler)
    fetcher.get(URL, what="AAPL")
    assert sleep.delays == [pytest.approx(12.0, abs=1.0)]


def test_retry_after_longer_than_cap_gives_up_at_once():
    calls = []

    def handler(request):
        calls.append(request)
        return httpx.Response(429, headers={"Retry-After": "3600"})

    fetcher, sleep = fetcher_for(handler)
    with pytest.raises(ProviderUnavailableError, match="retry after 3600 s"):
        fetcher.get(URL, what="AAPL")
    assert len(calls) == 1
    assert sleep.delays == []


def test_404_is_returned_to_the_source_not_retried():
    calls = []

    def handler(request):
        calls.append(request)
        return httpx.Response(404, json={"chart": {"result": None, "error": {}}})

    fetcher, sleep = fetcher_for(handler)
    assert fetcher.get(URL, what="AAPL").status_code == 404
    assert len(calls) == 1 and sleep.delays == []


def test_safe_url_and_redact_mask_secrets():
    url = safe_url("https://api.stlouisfed.org/fred/series/observations",
                   {"series_id": "DGS10", "api_key": "s3cr3tKEY"})
    assert "s3cr3tKEY" not in url
    assert url.endswith("series_id=DGS10&api_key=***")
    assert redact("key s3cr3tKEY here", ["s3cr3tKEY", ""]) == "key *** here"


def test_secret_never_reaches_logs_or_messages(caplog):
    secret = "abcdef0123456789abcdef0123456789"

    def handler(request):
        raise httpx.ConnectError(f"failed for {request.url}", request=request)

    fetcher, _ = fetcher_for(handler, secrets=[secret])
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ProviderUnavailableError) as info:
        fetcher.get("https://api.stlouisfed.org/fred/series/observations",
                    params={"series_id": "DGS10", "api_key": secret}, what="series DGS10")
    assert secret not in str(info.value)
    assert "***" in str(info.value)
    assert secret not in repr(fetcher)
    assert secret not in caplog.text
    assert "retry" in caplog.text  # the retries were logged, redacted


def test_httpx_request_log_is_redacted(caplog):
    secret = "ffffeeee0000111122223333"
    fetcher, _ = fetcher_for(lambda r: httpx.Response(200, text="x"), secrets=[secret])
    caplog.set_level(logging.DEBUG)
    fetcher.get("https://api.stlouisfed.org/fred/series/observations",
                params={"api_key": secret})
    assert "HTTP Request" in caplog.text  # httpx logged the request...
    assert secret not in caplog.text      # ...without the key


def test_own_client_is_created_with_timeouts_and_closed(monkeypatch):
    seen = {}

    def handler(request):
        seen["timeout"] = request.extensions.get("timeout")
        seen["agent"] = request.headers.get("user-agent")
        return httpx.Response(200, text="ok")

    fetcher = HttpFetcher(transport=httpx.MockTransport(handler), sleep=Recorder())
    with fetcher.session() as client:
        assert fetcher.get(URL).text == "ok"
    assert client.is_closed
    assert seen["timeout"] == {"connect": 10.0, "read": 30.0, "write": 30.0, "pool": 30.0}
    assert "rotascope" in seen["agent"]
