"""Property: a backtest and a sequence of `run`s (day by day, or with gaps) fire on the
same dates, for random prices with missing rows and random conditions."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from rotascope.data.store import Store
from rotascope.outputs.alerts.rules import parse_rules
from rotascope.outputs.alerts.runner import backtest, fire
from rotascope.outputs.alerts.state import AlertStore

from .conftest import write_store

DAYS = pd.bdate_range("2023-01-02", periods=90)

TEMPLATES = [
    "close(AAA) > {x}",
    "close(AAA) crosses_above close(BBB) * {r}",
    "perf(AAA, 5d) <= -{p}% or perf(BBB, 3) >= {p}%",
    "close(AAA) / close(BBB) < {r} and not close(BBB) > {x}",
    "drawdown(AAA) <= -{p}%",
    "worst_decline(BBB, 4) <= -{p}% and lowest_in_months(AAA, 2) >= 0",
    "close(BBB) crosses_below {x} or close(AAA) changed and close(AAA) > {x}",
]


@st.composite
def scenarios(draw):
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    a = 100 * np.exp(np.cumsum(rng.normal(0, 0.02, len(DAYS))))
    b = 100 * np.exp(np.cumsum(rng.normal(0, 0.02, len(DAYS))))
    a = np.round(a, 1)  # ties make 'changed' and touching lines happen
    missing_b = rng.random(len(DAYS)) < draw(st.sampled_from([0.0, 0.1, 0.3]))
    b[missing_b] = np.nan
    picks = draw(st.lists(st.sampled_from(TEMPLATES), min_size=1, max_size=3))
    x = draw(st.sampled_from([95, 100, 105]))
    r = draw(st.sampled_from([0.97, 1.0, 1.03]))
    p = draw(st.sampled_from([1, 2, 4]))
    conditions = [t.format(x=x, r=r, p=p) for t in picks]
    start = draw(st.integers(20, 60))
    end = draw(st.integers(start, min(start + 25, len(DAYS) - 1)))
    # run on a random subset of the days between start and end (gaps between runs),
    # always on the first and the last day
    middle = [i for i in range(start + 1, end) if draw(st.booleans())]
    return a, b, conditions, start, end, [start, *middle, end] if end > start else [start]


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(scenarios())
def test_backtest_equals_runs(tmp_path_factory, scenario):
    a, b, conditions, start, end, run_days = scenario
    path = write_store(tmp_path_factory.mktemp("prop") / "s.duckdb",
                       {"AAA": pd.Series(a, DAYS), "BBB": pd.Series(b, DAYS)})
    text = "namespace: p\nrules:\n" + "".join(
        f"  - id: r{i}\n    condition: '{c}'\n" for i, c in enumerate(conditions))
    with Store(path) as store:
        rules = parse_rules(text, store=store)
        expected = backtest(rules, store, DAYS[start], DAYS[end]).to_dict()
        for i in run_days:
            fire(rules, store, DAYS[i])
        fired = AlertStore(store).fired("p")
    got = {"rules": [{"id": r.id, "fired": [f"{d:%Y-%m-%d}" for d in fired.get(r.id, [])]}
                     for r in rules.rules]}
    event(f"firings: {min(sum(len(r['fired']) for r in got['rules']), 3)}")
    assert got == expected
