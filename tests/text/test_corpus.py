"""Acceptance: the claims corpus (tests/text/corpus/), scored against independent figures.

Every expected verdict is computed here from ../shared/market-data with plain pandas
(``corpus/oracle.py``: no rotascope import), from our own reading of each claim's period
as dates, and the tolerance rules of docs/text.md written out again. The checker runs
on the same data through a market view of the session store.
"""

from __future__ import annotations

import html
import importlib.util
import sys
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parent / "corpus"


def _oracle():
    spec = importlib.util.spec_from_file_location("claims_corpus_oracle", CORPUS / "oracle.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


oracle = _oracle()


@pytest.fixture(scope="module")
def expected(market_data):
    exp, non = oracle.load_expected()
    prices = oracle.Prices(market_data)
    for e in exp:
        e.verdict, e.computed = oracle.expected_verdict(prices, e)
    return exp, non


@pytest.fixture(scope="module")
def results(store):
    from rotascope.text.marketdata import open_market

    return oracle.run_checker(open_market(store))


def test_corpus_is_big_and_varied(expected) -> None:
    exp, non = expected
    assert len(exp) >= 200
    assert len({e.phrasing for e in exp}) >= 60
    assert sum(len(v) for v in non.values()) >= 20
    assert {e.cls for e in exp} >= {"1", "2", "3", "4", "5", "6", "7", "8", "10", "11"}
    verdicts = {e.verdict for e in exp}
    assert {"holds", "does not hold", "roughly", "cannot check"} <= verdicts
    assert sum(e.verdict == "does not hold" for e in exp) >= 25  # false claims too
    texts = {p.name for p in (CORPUS / "texts").iterdir()}
    assert set(non) == texts  # every text is listed


#: Targets per labelled set: (found %, agreement %, false positives %). The in-sample
#: corpus keeps issue 11's acceptance figures; the fresh sets (held-out style, each
#: written before the checker was changed for it) keep floors just under their measured
#: figures (docs/text.md) so that a regression shows.
TARGETS = {"in-sample": (95.0, 95.0, 2.0), "fresh": (98.0, 96.0, 2.0),
           "fresh2": (95.0, 95.0, 2.0), "fresh3": (95.0, 96.0, 2.0)}


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_corpus_found_agreement_false_positives(expected, results, name) -> None:
    exp, non = expected
    names = set(oracle.load_expected(oracle.SETS[name])[1])
    exp = [e for e in exp if e.text in names]
    non = {k: v for k, v in non.items() if k in names}
    res = {k: v for k, v in results.items() if k in names}
    sc = oracle.score(res, exp, non)
    report = (f"found {sc.found}/{sc.expected}, agree {sc.agree}/{sc.found}, "
              f"FP {sc.false_positive}/{sc.extracted}\nmisses {sc.misses}\n"
              f"disagreements {sc.disagreements}\nfalse positives {sc.false_positives}")
    found, agree, fp = TARGETS[name]
    assert sc.found_pct >= found, report
    assert sc.agree_pct >= agree, report
    assert sc.fp_pct <= fp, report
    assert sc.nonclaims_checked == 0, report


def test_corpus_claims_carry_their_own_line(results) -> None:
    """Every claim points at the line of the file where its quote stands."""
    for name, rows in results.items():
        lines = html.unescape((CORPUS / "texts" / name).read_text()).split("\n")
        for r in rows:
            assert r["line"] is not None and r["span"] is not None, (name, r["quote"])
            head = r["quote"].split()[0]
            assert head in lines[r["line"] - 1], (name, r["line"], r["quote"])
            assert r["quote"][0] not in "([{" and r["quote"][-1] not in ")]}", r["quote"]
