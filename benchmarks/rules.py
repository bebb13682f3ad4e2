"""Benchmark of the condition language on a 5,000-rule file, in one run.

Run (a store with the market data and the sp500 universe, e.g. after the README's
`rotascope data import` / `universe add`)::

    ROTASCOPE_HOME=... python benchmarks/rules.py [--rules 5000] [--seed 1]

Generates a rules file of ``--rules`` conditions over the store's tickers (SMA, RSI,
ratio fields, perf spreads, crosses, drawdowns, and ``regime == "mixed" and ...``),
then reports:

* load (YAML + parse + type-check) time and rules/s;
* evaluation of every rule with one shared context, and rules/s;
* one ``regime == "mixed"`` evaluated alone (fresh context) versus ``--rules`` rules all
  reading ``regime`` in one context: the ratio shows the regime history is computed
  once per run, not once per rule.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from rotascope.config import Settings
from rotascope.data.store import Store
from rotascope.market_view import MarketView
from rotascope.outputs.alerts.rules import load_rules
from rotascope.outputs.alerts.runner import regime_rules_of
from rotascope.rules import EvalContext, evaluate

TEMPLATES = [
    "close({t}) > sma({t}, 200)", "rsi({t}) > 70", "ratio({t}, SPY).lowest_in_months >= 4",
    "perf({t}, 1m) - perf(SPY, 1m) > 2%", "close({t}) crosses_below ema({t}, 50)",
    "drawdown({t}) <= -25%", 'regime == "mixed" and rsi({t}) < 30',
    "pct_from_high({t}, 252) < -10%",
]


def write_rules(path: Path, tickers: list[str], n: int, seed: int, template: str | None
                ) -> None:
    rng = random.Random(seed)
    lines = ["rules:"]
    for i in range(n):
        t = rng.choice([x for x in tickers if x != "SPY"])
        c = (template or rng.choice(TEMPLATES)).format(t=t)
        lines += [f"  - id: r{i}", f"    condition: '{c}'"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def run(path: Path, store: Store, settings: Settings) -> tuple[float, float, int]:
    t0 = time.perf_counter()
    rs = load_rules(path, store=store, settings=settings)
    t1 = time.perf_counter()
    ctx = EvalContext(MarketView.open(store, settings, as_of=store.last_date()),
                      regime_rules=regime_rules_of(settings))
    ctx.prefetch(rs.tickers())
    for rule in rs.rules:
        evaluate(rule.tree, ctx)
    return t1 - t0, time.perf_counter() - t1, len(rs.rules)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rules", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    settings = Settings.from_env()
    with Store(settings.store_path, read_only=True) as store, \
            tempfile.TemporaryDirectory() as tmp:
        tickers = [t for t in store.tickers() if not t.startswith("^")]
        mixed = Path(tmp) / "mixed.yaml"
        write_rules(mixed, tickers, args.rules, args.seed, None)
        load_s, eval_s, n = run(mixed, store, settings)
        print(f"{n} mixed rules: load {load_s:.2f} s ({n / load_s:,.0f} rules/s), "
              f"evaluate {eval_s:.2f} s ({n / eval_s:,.0f} rules/s)")
        one = Path(tmp) / "one.yaml"
        write_rules(one, tickers, 1, args.seed, 'regime == "mixed"')
        _, one_s, _ = run(one, store, settings)
        many = Path(tmp) / "many.yaml"
        write_rules(many, tickers, args.rules, args.seed, 'regime == "mixed"')
        _, many_s, _ = run(many, store, settings)
        print(f'regime == "mixed": 1 rule {one_s:.2f} s; {args.rules} rules reading it '
              f"{many_s:.2f} s (ratio {many_s / one_s:.2f})")


if __name__ == "__main__":
    main()
