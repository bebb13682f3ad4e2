"""The answer caches stay within their bounds; concurrent cold requests all succeed."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from rotascope.outputs.web.access import ResultCache


def test_result_cache_bounds_entries_and_bytes():
    cache = ResultCache(maxsize=3, max_bytes=10)
    for k in range(5):
        cache.get_or_compute(k, lambda k=k: "x" * 4)
    assert len(cache) == 2 and cache.bytes == 8  # 3 x 4 bytes would pass 10
    calls = []
    assert cache.get_or_compute(4, lambda: calls.append(1) or "new") == "xxxx"
    assert not calls  # a hit does not recompute


def test_result_cache_does_not_keep_failures():
    cache = ResultCache()

    def boom() -> str:
        raise ValueError("no")

    for _ in range(2):
        with pytest.raises(ValueError):
            cache.get_or_compute("k", boom)
    assert len(cache) == 0 and cache.get_or_compute("k", lambda: "ok") == "ok"


def test_concurrent_cold_requests(client):
    """Sixteen different misses at once: each opens its own read-only store handle."""
    urls = [f"/api/v1/ratio?numerator=RSP&denominator=SPY&as_of=2025-0{m}-1{d}"
            for m in range(1, 9) for d in (4, 5)]
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(client.get, urls))
    assert [r.status_code for r in results] == [200] * len(urls)
    assert len({r.json()["as_of"] for r in results}) == len(urls)
