"""Fuzz the condition language through `rotascope alerts check FILE` (bounded).

Each example is a rules file of 1-6 generated conditions (token soup from the
language's own vocabulary plus hostile pieces); every condition counts as one input.
Asserted for every run: no exit 1 / "internal error", under 10 s, and every problem
line names file:line:column.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rotascope.outputs.cli.main import cli

from .conftest import write_store

TOKENS = [
    "close", "ratio", "sma", "ema", "rsi", "perf", "ret", "drawdown", "worst_decline",
    "range", "rebound", "breadth", "regime", "rsi_divergence", "lowest_in_months",
    "pct_from_high", "ma_slope", "rolling_max", "SPY", "QQQ", "IWM", "BRK-B", "^TNX",
    "NOPE", "sp500", "(", ")", "(", ")", ",", ".", ".floor", ".value", ".lowest_in_months",
    ".pct_above_sma", ".50", "+", "-", "*", "/", "<", "<=", ">", ">=", "==", "!=", "and",
    "or", "not", "changed", "crosses_above", "crosses_below", "true", "false", "0", "1",
    "2.5", "-20%", "1e308", "1e400", "99999999999999999999", "0d", "10d", "3m", "1y",
    "99999999999y", "ytd", '"bearish"', "'mixed'", "window=", "kind=", "=", "%", "\\",
    "é", "\u202e", "\t", "&&", "||", "#", ":", "{", "[",
]

COUNT = {"inputs": 0, "internal": 0, "slow": 0}
LOC = re.compile(r"^r\.yaml:\d+:\d+: ")


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    h = tmp_path_factory.mktemp("fuzzhome")
    rng = np.random.default_rng(7)
    idx = pd.bdate_range("2022-01-03", periods=400)
    closes = {t: pd.Series(100 * np.exp(np.cumsum(rng.normal(0, 0.01, len(idx)))), idx)
              for t in ("SPY", "QQQ", "IWM", "BRK-B", "^TNX")}
    write_store(h / "store.duckdb", closes)
    return h


def _yaml_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t") + '"'


condition = st.lists(st.sampled_from(TOKENS), min_size=1, max_size=14).map(" ".join)


@settings(max_examples=330, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(conditions=st.lists(condition, min_size=1, max_size=6))
def _fuzz_one(home: Path, tmp_path_factory: pytest.TempPathFactory,
              conditions: list[str]) -> None:
    lines = ["rules:"]
    for i, c in enumerate(conditions):
        lines += [f"  - id: r{i}", f"    condition: {_yaml_quote(c)}"]
    d = tmp_path_factory.mktemp("f", numbered=True)
    (d / "r.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    t0 = time.perf_counter()
    res = _run(home, d)
    elapsed = time.perf_counter() - t0
    COUNT["inputs"] += len(conditions)
    out = res.output + (res.stderr if hasattr(res, "stderr") else "")
    if res.exit_code == 1 or "internal error" in out:
        COUNT["internal"] += 1
    if elapsed > 10:
        COUNT["slow"] += 1
    assert res.exit_code != 1 and "internal error" not in out, (conditions, out)
    assert res.exception is None or isinstance(res.exception, SystemExit), (conditions, out)
    assert elapsed < 10, (conditions, elapsed)
    if res.exit_code == 6:
        problems = [ln for ln in out.splitlines() if ln.startswith("r.yaml:")]
        assert problems, out
        for ln in problems:
            assert LOC.match(ln), ln


def _run(home: Path, d: Path):  # type: ignore[no-untyped-def]
    import os

    old = os.getcwd()
    os.chdir(d)
    try:
        return CliRunner().invoke(cli, ["--home", str(home), "alerts", "check", "r.yaml"])
    finally:
        os.chdir(old)


def test_alerts_check_never_crashes(home: Path,
                                    tmp_path_factory: pytest.TempPathFactory) -> None:
    """One test (so xdist keeps the count on one worker): fuzz, then count the inputs."""
    COUNT.update(inputs=0, internal=0, slow=0)
    _fuzz_one(home, tmp_path_factory)
    print(f"\nfuzz: {COUNT['inputs']} conditions, {COUNT['internal']} internal errors, "
          f"{COUNT['slow']} over 10 s")
    assert COUNT["inputs"] >= 1000
