"""The three stages of the claim checker, each on its own (candidates, parse, verify).

Stage 3 runs on a synthetic frame market, and every figure it reports is recomputed here
with plain pandas.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rotascope.text.aliases import load_aliases
from rotascope.text.claims.candidates import find_candidates
from rotascope.text.claims.model import Claim, WindowSpec
from rotascope.text.claims.patterns import Context, extract_claims, parse_candidate
from rotascope.text.claims.verify import check_claims
from rotascope.text.extract import parse_document
from rotascope.text.marketdata import market_from_frame


@pytest.fixture(scope="module")
def table():
    return load_aliases()


def _claims(text: str, table, fmt: str = "text"):
    return extract_claims(parse_document(text, format=fmt), table)


# -- stage 1: candidates ------------------------------------------------------------------

def test_candidates_mentions_lists_backrefs_and_triggers(table) -> None:
    doc = parse_document("Apple, Nvidia and Alphabet rallied. They are each up 10% this "
                         "year. Markets were calm.")
    a, b, c = find_candidates(doc, table)
    assert [m.ticker for m in a.mentions] == ["AAPL", "NVDA", "GOOGL"]
    assert [[m.ticker for m in run] for run in a.lists] == [["AAPL", "NVDA", "GOOGL"]]
    assert not a.can_claim and not a.refers_back
    assert b.can_claim and b.refers_back and [w.type for w, _, _ in b.windows] == ["ytd"]
    assert not c.can_claim and c.mentions == ()


def test_candidates_keep_the_paragraph_line_and_locate_finds_the_quote_line(table) -> None:
    doc = parse_document("Title\n\nIntro words here\nand Apple rose 2%\nlast week.\n")
    cands = list(find_candidates(doc, table))
    assert cands[-1].sentence.line == 3
    (claim,) = extract_claims(doc, table)
    assert claim.quote == "Apple rose 2% last week"
    assert (claim.line, claim.column) == (4, 5)
    assert doc.raw[claim.span[0]:claim.span[1]] == "Apple rose 2%\nlast week"


# -- stage 2: parse -----------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Strategists expect the S&P 500 to rise 10% next year.",
    "If Nvidia breaks out, it could rally 10%.",
    "The Nasdaq 100 could test 25,000 in July.",
    "Goldman's target for the S&P 500 is 7,000.",
    "Apple is approaching a new 52-week high.",
    "Should the Fed cut, small caps might gain 5% this month.",
    "Apple's revenue rose 5% last quarter.",
])
def test_forecasts_conditionals_targets_are_not_claims(table, text) -> None:
    assert _claims(text, table) == []


def test_lists_give_one_claim_per_name_with_the_same_figure(table) -> None:
    cs = _claims("Apple, Nvidia and Alphabet are each down more than 10% this year.", table)
    assert [c.tickers for c in cs] == [["AAPL"], ["NVDA"], ["GOOGL"]]
    assert {(c.stated, c.qualifier, c.window.type) for c in cs} == {(-0.10, "over", "ytd")}
    assert all(c.quote.startswith("Apple, Nvidia and Alphabet") for c in cs)


def test_periods_stay_in_their_clause(table) -> None:
    a, b = _claims("Nvidia jumped 17% in June, while Apple is down 18% year to date.", table)
    assert (a.tickers, a.window.label()) == (["NVDA"], "Jun")
    assert (b.tickers, b.window.type) == (["AAPL"], "ytd")


@pytest.mark.parametrize("verb,sign", [("rocketed", 1), ("soared", 1), ("added", 1),
                                       ("gave back", -1), ("shed", -1), ("tumbled", -1),
                                       ("slid", -1), ("lost", -1)])
def test_direction_comes_from_the_verb(table, verb, sign) -> None:
    (c,) = _claims(f"Tesla {verb} 4% last week.", table)
    assert c.stated == pytest.approx(0.04 * sign)


def test_relative_statements_are_ratio_claims_on_both_legs(table) -> None:
    (c,) = _claims("Growth stocks hit a 6-month low relative to value stocks.", table)
    assert c.kind == "ratio_extreme" and c.tickers == ["IWF", "IWD"]
    (c,) = _claims("MAGS/SPY at a 1-month high.", table)
    assert c.kind == "ratio_extreme" and c.tickers == ["MAGS", "SPY"]


def test_subjects_from_descriptions_groups_and_back_references(table) -> None:
    cs = _claims("The iPhone maker rose 2% in June. Jensen Huang's company fell 1% on "
                 "Friday. Chip stocks gained 3% this week. It added 1% on Monday.", table)
    assert [c.tickers for c in cs] == [["AAPL"], ["NVDA"], ["SMH"], ["SMH"]]


def test_unknown_subject_is_not_replaced_by_another_instrument(table) -> None:
    cs = _claims("Apple rose 2% in June. Samsung fell 3% in June.", table)
    assert cs[1].tickers == [] and cs[1].details["subject_text"] == "Samsung"
    assert cs[1].quote == "Samsung fell 3% in June"


def test_breadth_is_not_a_claim_about_the_index(table) -> None:
    cs = _claims("Fewer than a fifth of S&P 500 stocks trade above their 200-day moving "
                 "average. Roughly 1 in 5 S&P 500 members are above their 50-day average.",
                 table)
    assert [(c.kind, c.stated, c.qualifier) for c in cs] == [
        ("breadth", 0.2, "under"), ("breadth", 0.2, "about")]


def test_ranks_and_leadership(table) -> None:
    cs = _claims("Energy led, utilities lagged in the second half. Nvidia was the only "
                 "Mag-7 name up this year. Financials were one of the best-performing "
                 "sectors in 2024.", table)
    got = [(c.tickers[0], c.stated["position"], c.stated.get("top")) for c in cs]
    assert got == [("XLE", "best", 1), ("XLU", "worst", 1), ("NVDA", "only_up", 1),
                   ("XLF", "best", 3)]


def test_quotes_have_no_stray_brackets(table) -> None:
    (c,) = _claims("(Apple rose 2% last week)", table)
    assert c.quote == "Apple rose 2% last week"
    (c,) = _claims("[Nvidia fell 3% on Friday.]", table)
    assert c.quote == "Nvidia fell 3% on Friday"


def test_parse_candidate_is_the_stage_2_entry(table) -> None:
    doc = parse_document("Apple and Nvidia rallied. They are each up 10% this year.")
    ctx = Context()
    out = [parse_candidate(c, table, ctx) for c in find_candidates(doc, table)]
    assert out[0] == [] and [c.tickers for c in out[1]] == [["AAPL"], ["NVDA"]]


# -- stage 3: verify ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def synthetic():
    idx = pd.bdate_range("2024-01-02", periods=400)
    rng = np.random.default_rng(7)
    close = pd.DataFrame(100 * np.exp(np.cumsum(rng.normal(0, 0.01, (400, 3)), axis=0)),
                         index=idx, columns=["AAA", "BBB", "SPY"])
    return close


def test_verify_runs_on_a_market_view_as_of_the_claims_date(synthetic, table) -> None:
    market = market_from_frame(synthetic)
    alias = table.ticker_alias("AAA")
    end = synthetic.index[300]
    truth = synthetic["AAA"].iloc[300] / synthetic["AAA"].iloc[279] - 1
    claim = Claim(quote="AAA rose", kind="return", instruments=(alias,), names=("AAA",),
                  window=WindowSpec("rows", "over the past month", rows=21),
                  stated=round(truth, 3))
    (r,) = check_claims([claim], market, ref=end)
    assert r.computed == pytest.approx(truth) and r.verdict == "holds"
    assert r.date_used == end.strftime("%Y-%m-%d")
    far = Claim(quote="AAA rose", kind="return", instruments=(alias,), names=("AAA",),
                window=WindowSpec("rows", "over the past month", rows=21),
                stated=truth + 0.2)
    (r,) = check_claims([far], market, ref=end)
    assert r.verdict == "does not hold"


def test_verify_without_market_data_says_why(table) -> None:
    alias = table.ticker_alias("AAA")
    claim = Claim(quote="AAA rose 2% last week", kind="return", instruments=(alias,),
                  names=("AAA",), window=WindowSpec("calendar", "last week", unit="week",
                                                    offset=-1), stated=0.02)
    (r,) = check_claims([claim], None, ref=pd.Timestamp("2025-01-10"))
    assert r.verdict == "cannot check" and "no store" in r.reason


def test_name_with_ticker_in_brackets_quotes_from_the_name(table) -> None:
    (c,) = _claims("Shares of Apple Inc. (AAPL) fell 2.1% on Tuesday.", table)
    assert c.quote == "Apple Inc. (AAPL) fell 2.1% on Tuesday" and c.tickers == ["AAPL"]


def test_breadth_of_moves_is_a_share_of_members(table) -> None:
    a, b = _claims("Most S&P 500 stocks are up this year. Fewer than half of S&P 500 "
                   "stocks fell in June.", table)
    assert (a.kind, a.stated, a.qualifier, a.details["side"], a.tickers) == (
        "breadth", 0.5, "over", "up", [])
    assert (b.stated, b.qualifier, b.details["side"], b.window.label()) == (
        0.5, "under", "down", "Jun")
