"""Load test of the web desk: 20 concurrent clients for 30 s on a mix of API endpoints.

Run::

    ROTASCOPE_HOME=/work/home-real python benchmarks/web_load.py [--clients 20]
        [--seconds 30] [--json]

Starts ``rotascope serve`` as a subprocess on a free 127.0.0.1 port (never another
address: the script refuses), waits until it answers, warms every URL of the mix once
(cold = first computation, printed), then runs ``--clients`` httpx async clients in a
loop over the mix for ``--seconds`` (bounded: at most ``--max-requests`` in total) and
prints p50/p99 latency, requests/s, errors, and the server's RSS (VmRSS from
/proc/PID/status) after the warm-up and after the load. Reference in the same run: the
same clients on ``/static/desk.css`` (a file, no analysis) for a few seconds, so the
ratio p99(mix)/p99(static) separates the desk's own cost from the machine's load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

MIX = [
    "/api/v1/ratio?numerator=MAGS&denominator=SPY",
    "/api/v1/ratio?numerator=RSP&denominator=SPY&as_of=2026-01-14",
    "/api/v1/perf?tickers=SPY,RSP,QQQ,IWM&windows=1m,3m,ytd",
    "/api/v1/breadth?universe=sp500",
    "/api/v1/rrg",
    "/api/v1/regime",
    "/api/v1/signals?ticker=SPY",
    "/api/v1/signals?ticker=MAGS/SPY",
    "/api/v1/leaders?universe=sectors",
    "/api/v1/snapshot",
    "/api/v1/rotation",
    "/api/v1/concentration",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


async def _run(base: str, urls: list[str], clients: int, seconds: float,
               max_requests: int) -> dict[str, object]:
    import httpx

    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.perf_counter() + seconds
    count = 0

    async def client(k: int) -> None:
        nonlocal count
        async with httpx.AsyncClient(base_url=base, timeout=30.0) as c:
            i = k
            while time.perf_counter() < deadline and count < max_requests:
                count += 1
                url = urls[i % len(urls)]
                i += 1
                t0 = time.perf_counter()
                try:
                    r = await c.get(url)
                    if r.status_code != 200:
                        errors.append(f"{url}: HTTP {r.status_code}")
                except httpx.HTTPError as exc:
                    errors.append(f"{url}: {type(exc).__name__}")
                latencies.append((time.perf_counter() - t0) * 1000)

    t0 = time.perf_counter()
    await asyncio.gather(*(client(k) for k in range(clients)))
    elapsed = time.perf_counter() - t0
    return {"requests": len(latencies), "seconds": round(elapsed, 1),
            "rps": round(len(latencies) / elapsed, 1),
            "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
            "p99_ms": round(_pct(latencies, 0.99), 1), "max_ms": round(max(latencies), 1),
            "errors": len(errors), "error_sample": errors[:5]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--max-requests", type=int, default=200_000)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.host != "127.0.0.1":
        sys.exit("web_load.py only loads 127.0.0.1")
    if not 1 <= args.clients <= 200 or not 0 < args.seconds <= 600:
        sys.exit("--clients 1..200, --seconds up to 600")
    import httpx

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "rotascope", "serve", "--port", str(port),
                             "--log-level", "warning"], env=dict(os.environ))
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/static/desk.css", timeout=2).raise_for_status()
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    sys.exit("the server did not start")
                time.sleep(0.2)
        rss_start = _rss_mb(proc.pid)
        cold = {}
        for url in MIX:
            t0 = time.perf_counter()
            r = httpx.get(base + url, timeout=300)
            cold[url] = {"ms": round((time.perf_counter() - t0) * 1000), "status": r.status_code}
        rss_warm = _rss_mb(proc.pid)
        ref = asyncio.run(_run(base, ["/static/desk.css"], args.clients, min(5.0, args.seconds),
                               args.max_requests))
        mix = asyncio.run(_run(base, MIX, args.clients, args.seconds, args.max_requests))
        rss_after = _rss_mb(proc.pid)
        again = asyncio.run(_run(base, MIX, args.clients, min(10.0, args.seconds),
                                 args.max_requests))
        rss_end = _rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(10)
    result = {"clients": args.clients, "cold": cold, "reference_static": ref, "mix": mix,
              "mix_again": again,
              "rss_mb": {"started": round(rss_start), "after_warmup": round(rss_warm),
                         "after_load": round(rss_after), "after_second_load": round(rss_end)},
              "p99_ratio_mix_vs_static": round(mix["p99_ms"] / ref["p99_ms"], 2)}  # type: ignore[operator]
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print("cold (first computation) per URL, ms: "
          + ", ".join(f"{u.split('/api/v1/')[1]} {c['ms']}" for u, c in cold.items()))
    for name, r in (("static reference", ref), ("API mix", mix), ("API mix again", again)):
        print(f"{name:17s} {r['requests']:6d} requests in {r['seconds']} s ({r['rps']} req/s): "
              f"p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms, max {r['max_ms']} ms, "
              f"errors {r['errors']}")
    print(f"p99 mix / p99 static: {result['p99_ratio_mix_vs_static']}")
    print("server RSS MB: " + ", ".join(f"{k} {v}" for k, v in result["rss_mb"].items()))
    return 0 if mix["errors"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
