"""Claim checker on the corpus: found %, verdict agreement %, false positives %.

    python benchmarks/claims.py [--data ../shared/market-data]

Builds a temporary store from the reference data (or uses $ROTASCOPE_HOME's store
with --home), runs ``rotascope.text.claims`` on every text of tests/text/corpus/texts,
and scores it against the expected verdicts computed independently with plain pandas
(tests/text/corpus/oracle.py). Prints the figures that docs/text.md quotes.
"""

from __future__ import annotations

import argparse
import importlib.util
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
    ap.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    args = ap.parse_args()
    spec = importlib.util.spec_from_file_location("claims_corpus_oracle", CORPUS / "oracle.py")
    oracle = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = oracle
    spec.loader.exec_module(oracle)

    from rotascope.data.store import Store
    from rotascope.text.marketdata import open_market

    exp, non = oracle.load_expected()
    prices = oracle.Prices(Path(args.data))
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
    sc = oracle.score(results, exp, non)
    print(f"texts: {len(results)}, expected claims: {sc.expected} in "
          f"{len({e.phrasing for e in exp})} phrasings, non-claims: {sc.nonclaims}")
    print(f"found:             {sc.found_pct:6.1f}%  ({sc.found}/{sc.expected})")
    print(f"verdict agreement: {sc.agree_pct:6.1f}%  ({sc.agree}/{sc.found})")
    print(f"false positives:   {sc.fp_pct:6.1f}%  ({sc.false_positive}/{sc.extracted} "
          "claims reported are not in the expected list and were judged)")
    print(f"non-claims judged: {sc.nonclaims_checked}/{sc.nonclaims}")
    print(f"checker time:      {elapsed:.1f} s wall, {cpu:.1f} s CPU for {sc.extracted} claims")
    if args.verbose:
        for m in sc.misses:
            print("miss", m)
        for d in sc.disagreements:
            print("disagree", d)
        for f in sc.false_positives:
            print("false positive", f)


if __name__ == "__main__":
    main()
