"""Claim checker on the corpus: found %, verdict agreement %, false positives %.

    python benchmarks/claims.py [--data ../shared/market-data] [--set fresh] [-v]
    python benchmarks/claims.py --before fd1000b     # also the checker of that commit

Builds a temporary store from the reference data (or uses $ROTASCOPE_HOME's store
with --home), runs ``rotascope.text.claims`` on every text of tests/text/corpus/texts,
and scores it against the expected verdicts computed independently with plain pandas
(tests/text/corpus/oracle.py). Prints the figures that docs/text.md quotes, for each
labelled set (``in-sample``: expected.yaml, the texts the checker was extended on;
``fresh``: fresh.yaml, held-out-style texts written before the checker was changed for
them; ``fresh2``: fresh2.yaml, a second such set in other authors' styles; ``fresh3``:
fresh3.yaml, a third) and for all of them together. ``--before COMMIT`` runs the same
scoring, on the same labels, with the checker of that commit (a temporary git worktree on
PYTHONPATH): fd1000b is the checker before it was changed for the fresh set, 6d2d346 the
one before it was changed for fresh2, 479a378 the one before it was changed for fresh3.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "text" / "corpus"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(ROOT / "../shared/market-data"))
    ap.add_argument("--home", default=None, help="use this ROTASCOPE_HOME's store")
    ap.add_argument("--set", default=None,
                    help="only this labelled set (in-sample, fresh, fresh2, fresh3)")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    ap.add_argument("--before", metavar="COMMIT", default=None,
                    help="also score the checker of this commit on the same labels")
    args = ap.parse_args()
    if args.before:
        _run_before(args)
    spec = importlib.util.spec_from_file_location("claims_corpus_oracle", CORPUS / "oracle.py")
    oracle = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = oracle
    spec.loader.exec_module(oracle)

    from rotascope.data.store import Store
    from rotascope.text.marketdata import open_market

    prices = oracle.Prices(Path(args.data))
    sets = {name: oracle.load_expected(path) for name, path in oracle.SETS.items()
            if args.set in (None, name)}
    for exp, _ in sets.values():
        for e in exp:
            e.verdict, e.computed = oracle.expected_verdict(prices, e)
    with tempfile.TemporaryDirectory() as tmp:
        if args.home:
            path = Path(args.home) / "store.duckdb"
        else:
            from rotascope.data.importer import import_path
            from rotascope.data.universes import add_universe

            path = Path(tmp) / "store.duckdb"
            data = Path(args.data)
            with Store(path) as st:
                import_path(st, data)
                add_universe(st, "sp500", data / "constituents" / "sp500.csv",
                             data / "constituents" / "sp500_changes.csv")
        with Store(path, read_only=True) as st:
            t0, c0 = time.perf_counter(), time.process_time()
            results = oracle.run_checker(open_market(st))
            elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    if len(sets) > 1:
        sets["all"] = ([e for exp, _ in sets.values() for e in exp],
                       {k: v for _, non in sets.values() for k, v in non.items()})
    for name, (exp, non) in sets.items():
        res = {t: rows for t, rows in results.items() if t in non}
        sc = oracle.score(res, exp, non)
        print(f"== {name}: texts: {len(res)}, expected claims: {sc.expected} in "
              f"{len({e.phrasing for e in exp})} phrasings, non-claims: {sc.nonclaims}")
        print(f"found:             {sc.found_pct:6.1f}%  ({sc.found}/{sc.expected})")
        print(f"verdict agreement: {sc.agree_pct:6.1f}%  ({sc.agree}/{sc.found})")
        print(f"false positives:   {sc.fp_pct:6.1f}%  ({sc.false_positive}/{sc.extracted} "
              "claims reported are not in the expected list and were judged)")
        print(f"non-claims judged: {sc.nonclaims_checked}/{sc.nonclaims}")
        if args.verbose and name != "all":
            for m in sc.misses:
                print("miss", m)
            for d in sc.disagreements:
                print("disagree", d)
            for f in sc.false_positives:
                print("false positive", f)
    print(f"checker time:      {elapsed:.1f} s wall, {cpu:.1f} s CPU for "
          f"{sum(len(r) for r in results.values())} claims in {len(results)} texts")


def _run_before(args: argparse.Namespace) -> None:
    """Score the checker of ``args.before`` (its src/ on PYTHONPATH) with this script and
    this corpus, and print its figures first."""
    with tempfile.TemporaryDirectory() as tmp:
        wt = Path(tmp) / "before"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(wt),
                        args.before], check=True)
        try:
            cmd = [sys.executable, str(Path(__file__).resolve()), "--data", args.data]
            if args.home:
                cmd += ["--home", args.home]
            if args.set:
                cmd += ["--set", args.set]
            env = dict(os.environ, PYTHONPATH=str(wt / "src"))
            out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
            print(f"### checker of {args.before} (before the fixes), same labels")
            print(out.stdout.rstrip())
            print("### checker of this tree")
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(wt)],
                           check=False)


if __name__ == "__main__":
    main()
