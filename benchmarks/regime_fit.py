"""Fit the regime rules' persistence and defensive guard on one period, report on another.

Run (needs a store with the real data, ``$ROTASCOPE_HOME``)::

    python benchmarks/regime_fit.py [--fit 2007-01-01:2016-12-30] [--test 2017-01-03:] [--json]

Candidates: ``confirm_days`` in {5, 10, 15, 20} x the broadening verdict's bound on the
defensive group in {none, >= -0.4, >= -0.2, >= 0.0} (a defensive group that leads
weighs against "broadening"). Each candidate replays the verdict over all the data
(signals are causal) and is scored on the FIT period only:

    score = separation of the worst SPY drawdown in the next 3 months between the
            risk-off verdicts (broad breakdown, defensive rotation) and broadening
            rotation, in percentage points
            - 0.25 x flips per year

(a verdict that tells a calm market from a dangerous one, without flipping on noise).
The best candidate is then reported on the TEST period next to the current rules;
docs/regime.md holds the table this prints, whatever it says.
"""

from __future__ import annotations

import argparse
import copy
import json
from importlib import resources

import numpy as np
import pandas as pd
import yaml

import rotascope
from rotascope.analysis.inputs import load_regime_inputs
from rotascope.analysis.regime import _rules_from_mapping, regime_history
from rotascope.analysis.regime_eval import evaluate_verdicts

RISK_OFF = ("broad breakdown", "defensive rotation")


def _base_doc() -> dict:
    text = resources.files("rotascope.analysis").joinpath("regime_rules.yaml").read_text()
    return yaml.safe_load(text)


def candidate(confirm: int, guard: float | None) -> dict:
    doc = copy.deepcopy(_base_doc())
    doc["confirm_days"] = confirm
    for v in doc["verdicts"]:
        if v["name"] == "broadening rotation":
            v["when"].pop("defensive", None)
            if guard is not None:
                v["when"]["defensive"] = {"min": guard}
    return doc


def _period(text: str) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    a, _, b = text.partition(":")
    return (pd.Timestamp(a) if a else None, pd.Timestamp(b) if b else None)


def summarize(ev) -> dict:
    o, s = ev.outcomes, ev.summary
    def m(v, k):
        return float(o.loc[v, (k, "mean")]) if v in o.index else float("nan")
    off = [v for v in RISK_OFF if v in s.index]
    w = s.loc[off, "sessions"] if off else pd.Series(dtype=float)
    off_dd = float(np.average([m(v, "spy_worst_3m") for v in off], weights=w)) if off else np.nan
    return {
        "flips_per_year": ev.flips_per_year,
        "broadening_share": float(s.loc["broadening rotation", "share"])
        if "broadening rotation" in s.index else 0.0,
        "broadening_spy_3m": m("broadening rotation", "spy_3m"),
        "broadening_worst_3m": m("broadening rotation", "spy_worst_3m"),
        "broadening_rsp_spy_3m": m("broadening rotation", "rsp_spy_3m"),
        "risk_off_worst_3m": off_dd,
        "base_spy_3m": m("all", "spy_3m"), "base_worst_3m": m("all", "spy_worst_3m"),
        "separation_pp": (m("broadening rotation", "spy_worst_3m") - off_dd) * 100,
        "broadening_dd_ci": [float(o.loc["broadening rotation", ("spy_worst_3m", "diff_lo")]),
                             float(o.loc["broadening rotation", ("spy_worst_3m", "diff_hi")])]
        if "broadening rotation" in o.index else None,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--fit", default="2007-01-01:2016-12-30")
    ap.add_argument("--test", default="2017-01-03:")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    market = rotascope.market()
    base_rules = _rules_from_mapping(_base_doc(), "default")
    inputs = load_regime_inputs(market, base_rules)
    tickers = [t for t in ("SPY", "RSP", "IWM", "QQQ") if market.has(t)]
    close = market.close(tickers)
    fit_a, fit_b = _period(args.fit)
    test_a, test_b = _period(args.test)

    def run(doc, a, b):
        rules = _rules_from_mapping(doc, "candidate")
        hist = regime_history(inputs.close, inputs.breadth, rules)
        return summarize(evaluate_verdicts(hist.verdict.astype(object), close, a, b,
                                           n_boot=500))

    rows = []
    for confirm in (5, 10, 15, 20):
        for guard in (None, -0.4, -0.2, 0.0):
            r = run(candidate(confirm, guard), fit_a, fit_b)
            r.update(confirm_days=confirm, defensive_guard=guard,
                     score=r["separation_pp"] - 0.25 * r["flips_per_year"])
            rows.append(r)
    table = pd.DataFrame(rows).sort_values("score", ascending=False)
    best = table.iloc[0]
    current = table[(table.confirm_days == 5) & table.defensive_guard.isna()].iloc[0]
    out = {"fit": args.fit, "test": args.test,
           "best": {"confirm_days": int(best.confirm_days),
                    "defensive_guard": None if pd.isna(best.defensive_guard)
                    else float(best.defensive_guard)},
           "fit_table": table.drop(columns=["broadening_dd_ci"]).to_dict(orient="records"),
           "before": {"fit": run(candidate(5, None), fit_a, fit_b),
                      "test": run(candidate(5, None), test_a, test_b)},
           "after": {"fit": run(candidate(int(best.confirm_days), None if pd.isna(
                         best.defensive_guard) else float(best.defensive_guard)), fit_a, fit_b),
                     "test": run(candidate(int(best.confirm_days), None if pd.isna(
                         best.defensive_guard) else float(best.defensive_guard)),
                         test_a, test_b)}}
    del current
    if args.json:
        print(json.dumps(out, default=str))
        return
    pd.set_option("display.width", 200)
    print(table[["confirm_days", "defensive_guard", "flips_per_year", "separation_pp",
                 "score"]].to_string(index=False))
    print("best:", out["best"])
    for when in ("before", "after"):
        for per in ("fit", "test"):
            print(when, per, {k: (round(v, 4) if isinstance(v, float) else v)
                              for k, v in out[when][per].items()})


if __name__ == "__main__":
    main()
