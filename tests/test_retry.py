"""The one retry policy (rotascope._retry): attempts, time budget, Retry-After, redaction."""

from __future__ import annotations

import logging
import random

import pytest

from rotascope._retry import (
    Exhausted,
    Redactor,
    Retry,
    RetryPolicy,
    install_log_redaction,
    parse_retry_after,
    redact,
    redact_patterns,
)
from rotascope.errors import ParameterError


def failing(times: int, result: str = "ok", retry_after: float | None = None):
    calls: list[int] = []

    def attempt(n: int):
        calls.append(n)
        return result if n > times else Retry(f"HTTP 503 #{n}", retry_after=retry_after)
    return attempt, calls


def test_exponential_waits_with_cap_and_no_jitter():
    waits: list[float] = []
    attempt, calls = failing(5)
    policy = RetryPolicy(attempts=6, base_delay=0.5, max_delay=1.5, jitter=0.0)
    assert policy.call(attempt, sleep=waits.append) == "ok"
    assert calls == [1, 2, 3, 4, 5, 6] and waits == [0.5, 1.0, 1.5, 1.5, 1.5]


def test_jitter_is_multiplicative_and_seeded():
    policy = RetryPolicy(attempts=4, base_delay=1.0, jitter=0.25)
    waits: list[float] = []
    policy.call(failing(3)[0], sleep=waits.append, rng=random.Random(7))
    again: list[float] = []
    policy.call(failing(3)[0], sleep=again.append, rng=random.Random(7))
    assert waits == again
    for k, w in enumerate(waits):
        assert 2.0 ** k <= w < 1.25 * 2.0 ** k


def test_attempts_exhausted_returns_why_and_the_last_failure():
    attempt, calls = failing(99)
    out = RetryPolicy(attempts=3, jitter=0.0).call(attempt, sleep=lambda s: None)
    assert out == Exhausted(Retry("HTTP 503 #3"), 3, "attempts") and calls == [1, 2, 3]
    assert RetryPolicy(attempts=1).call(attempt, sleep=pytest.fail).attempts == 1


def test_max_time_counts_the_waits_even_when_sleep_is_faked():
    waits: list[float] = []
    policy = RetryPolicy(attempts=20, base_delay=1.0, max_delay=100.0, jitter=0.0,
                         max_time=10.0)
    out = policy.call(failing(99)[0], sleep=waits.append)
    # 1 + 2 + 4 = 7 s slept; the next wait (8 s) would end at 15 s > 10 s
    assert waits == [1.0, 2.0, 4.0]
    assert isinstance(out, Exhausted) and out.why == "max_time" and out.attempts == 4


def test_retry_after_raises_the_wait_and_long_ones_give_up_or_cap():
    waits: list[float] = []
    policy = RetryPolicy(attempts=3, base_delay=1.0, max_delay=30.0, jitter=0.0)
    assert policy.call(failing(1, retry_after=7.0)[0], sleep=waits.append) == "ok"
    assert waits == [7.0]
    attempt, calls = failing(1, retry_after=3600.0)
    out = policy.call(attempt, sleep=pytest.fail)
    assert isinstance(out, Exhausted) and out.why == "retry_after" and calls == [1]
    capped = RetryPolicy(attempts=3, base_delay=1.0, max_delay=30.0, jitter=0.0,
                         long_retry_after="cap")
    waits.clear()
    assert capped.call(failing(1, retry_after=3600.0)[0], sleep=waits.append) == "ok"
    assert waits == [30.0]


def test_parse_retry_after_seconds_and_http_dates():
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after("-3") == 0.0
    assert parse_retry_after("nan") is None and parse_retry_after("") is None
    assert parse_retry_after("Wed, 21 Oct 2026 07:28:00 GMT",
                             now=lambda: 1792567680.0 - 12) == pytest.approx(12.0)
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0   # in the past
    assert parse_retry_after("tomorrow-ish") is None


def test_errors_raised_by_an_attempt_pass_through_without_retry():
    calls = []

    def attempt(n):
        calls.append(n)
        raise PermissionError("HTTP 401")

    with pytest.raises(PermissionError, match="HTTP 401"):
        RetryPolicy(attempts=5).call(attempt, sleep=pytest.fail)
    assert calls == [1]


def test_bad_policies_are_rejected():
    for kwargs in ({"attempts": 0}, {"attempts": 2.5}, {"base_delay": -1},
                   {"max_time": 0}, {"long_retry_after": "wait"}):
        with pytest.raises(ParameterError, match="RetryPolicy"):
            RetryPolicy(**kwargs)


def test_redaction_of_values_and_patterns(caplog):
    assert redact("user bob pw hunter2 hunter", ["hunter", "hunter2", ""]) == \
        "user bob pw *** ***"
    text = ("GET https://bob:s3cret@h.example/p?series_id=DGS10&api_key=abc&token=t0k "
            "Authorization: Bearer eyJabc password=pw1")
    clean = redact_patterns(text)
    for secret in ("s3cret", "abc&", "t0k", "eyJabc", "pw1"):
        assert secret not in clean
    assert "series_id=DGS10" in clean and "https://***@h.example/p" in clean
    assert Redactor({"DGS10"})("series DGS10") == "series ***"
    # the retry log line is redacted with the caller's redactor
    log = logging.getLogger("rotascope.test_retry")
    caplog.set_level(logging.INFO, logger=log.name)
    secret = "k-123456789"
    RetryPolicy(attempts=2, jitter=0.0).call(
        lambda n: "ok" if n == 2 else Retry(f"failed for ?api_key={secret} and {secret}"),
        sleep=lambda s: None, log=log, what="series DGS10", redactor=Redactor({secret}))
    assert "retry 1/1 in 1.0 s" in caplog.text and secret not in caplog.text
    install_log_redaction([log.name], ["zz-top-secret"])
    log.warning("leaked zz-top-secret?")
    assert "zz-top-secret" not in caplog.text and "leaked ***?" in caplog.text
