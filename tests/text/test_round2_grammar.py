"""Second round of claim-checker grammar (issue 11): phrasings found failing on the
second held-out-style set (tests/text/corpus/fresh2.yaml) before they were fixed."""

from __future__ import annotations

import pandas as pd
import pytest

from rotascope.text.aliases import load_aliases
from rotascope.text.claims.dates import find_windows
from rotascope.text.claims.patterns import extract_claims
from rotascope.text.extract import parse_document


@pytest.fixture(scope="module")
def table():
    return load_aliases()


def claims_of(table, text: str):
    return [(c.kind, [a.ticker for a in c.instruments], c.stated,
             c.window.text if c.window is not None else None)
            for c in extract_claims(parse_document(text), table)]


@pytest.mark.parametrize("text,unit,label", [
    ("TSLA +14.8% w/w.", "week", "w/w"),
    ("IBIT +5.7% wk.", "week", "wk"),
    ("XLK 8.2% higher week-over-week.", "week", "week-over-week"),
    ("The S&P 500 fell 2.5% this past week.", "week", "this past week"),
    ("Nvidia advanced 46% during the quarter.", "quarter", "during the quarter"),
])
def test_desk_shorthand_and_spoken_periods(text, unit, label) -> None:
    found = [(w.unit, w.text) for w, _, _ in find_windows(text)]
    assert found == [(unit, label)]


def test_right_now_is_today_and_first_six_months_is_the_first_half() -> None:
    assert [(w.type, w.relative) for w, _, _ in find_windows("down 1.6% right now")] == \
        [("day", "today")]
    (w, _, _), = find_windows("rose 26% in the first six months of the year")
    assert (w.unit, w.quarter) == ("half", 1)
    (w, _, _), = find_windows("fell 3% over the last six months")
    assert (w.type, w.rows) == ("rows", 126)       # rolling, not the second half


def test_when_something_happened_is_not_a_measured_period() -> None:
    assert find_windows("a rally that had lifted it earlier in the week") == []
    assert [w.text for w, _, _ in find_windows("later this month it fell 2% this week")] == \
        ["this week"]


@pytest.mark.parametrize("text,date", [
    ("Stocks Sink as Trade Fight Flares; Treasuries Rally\nBy Markets Desk | October 10, 2025"
     "\n\nUS stocks tumbled.", "2025-10-10"),
    ("MARKETS NOW - TRANSCRIPT - AUGUST 1, 2025\n\nStocks fell.", "2025-08-01"),
])
def test_datelines_run_into_a_headline_or_in_capitals(text, date) -> None:
    assert parse_document(text).date == pd.Timestamp(date)


def test_a_date_inside_a_long_lead_is_not_a_dateline() -> None:
    text = ("US stocks tumbled after the report on October 3, 2025 showed that hiring slowed "
            "more than expected, and the S&P 500 fell 2% while bonds rallied hard.")
    assert parse_document(text).date is None


def test_paragraph_period_is_the_one_most_claims_used(table) -> None:
    text = ("October 10, 2025\n\nThe S&P 500 slid 2.7% on Friday while the Nasdaq 100 sank "
            "3.5% and the Dow lost 1.9%, leaving the index down 2.4% for the week.\n\n"
            "Nvidia dropped 4.9%.")
    assert claims_of(table, text)[-1] == ("one_day", ["NVDA"], -0.049, "on Friday")


def test_tied_periods_do_not_carry_to_the_next_paragraph(table) -> None:
    text = ("October 10, 2025\n\nThe S&P 500 slid 2.7% on Friday and was down 2.4% for the "
            "week.\n\nNvidia dropped 4.9%.")
    assert claims_of(table, text)[-1][3] is None


def test_no_period_from_a_figure_that_is_no_market_claim(table) -> None:
    text = ("August 1, 2025\n\nPayrolls rose just 73,000 in July.\n\n"
            "Amazon is down more than 8 percent.")
    assert claims_of(table, text)[-1][3] is None


@pytest.mark.parametrize("text,tickers,stated", [
    ("Health care's relative performance versus the S&P 500 over November: +9.1 points.",
     ["XLV", "SPY"], 0.091),
    ("Growth's relative performance versus value in November: -4.5 points.",
     ["IWF", "IWD"], -0.045),
    ("Relative to the equal-weight index, the Nasdaq 100 underperformed by 3.5 percentage "
     "points this month.", ["QQQ", "RSP"], -0.035),
    ("Value's lead over growth this month is about 6 points.", ["IWD", "IWF"], 0.06),
])
def test_relative_phrasings(table, text, tickers, stated) -> None:
    (kind, got, value, _), = claims_of(table, "November 28, 2025\n\n" + text)
    assert (kind, got) == ("outperformance", tickers)
    assert value == pytest.approx(stated)


def test_respectively_gives_each_name_its_own_figure(table) -> None:
    got = claims_of(table, "June 5, 2026\n\nThis week, financials and health care gained "
                           "1.4% and 2.4%, respectively.")
    assert [(t, round(v, 4)) for _, t, v, _ in got] == [(["XLF"], 0.014), (["XLV"], 0.024)]


def test_a_rank_after_a_figure_and_the_only_sector_to_rise(table) -> None:
    got = claims_of(table, "April 17, 2026\n\nEnergy (XLE) -10.2% MTD, the only sector down "
                           "in April. Utilities were the only sector to rise this month.")
    assert [(k, t) for k, t, _, _ in got] == [("return", ["XLE"]), ("rank", ["XLE"]),
                                              ("rank", ["XLU"])]
    assert got[1][2]["position"] == "only_down" and got[2][2]["position"] == "only_up"


def test_as_is_repeats_a_state_claim_for_the_name_after_it(table) -> None:
    got = claims_of(table, "SPY is holding above its 200-day moving average, as is the "
                           "equal-weight RSP.")
    assert [(k, t) for k, t, _, _ in got] == [("moving_average", ["SPY"]),
                                              ("moving_average", ["RSP"])]


def test_unknown_name_after_a_clause_break_is_not_the_earlier_subject(table) -> None:
    got = claims_of(table, "February 6, 2026\n\nNvidia rose 13% on Friday, and "
                           "MicroStrategy jumped 12%.")
    assert [t for _, t, _, _ in got] == [["NVDA"], []]


def test_the_same_subject_continues_after_but(table) -> None:
    got = claims_of(table, "June 5, 2026\n\nNvidia sank 6.2% Friday but remains up 10% "
                           "this year.")
    assert [(t, w) for _, t, _, w in got] == [(["NVDA"], "Friday"), (["NVDA"], "this year")]


def test_possessive_period_owns_the_figure(table) -> None:
    got = claims_of(table, "June 6, 2026\n\nThe S&P 500 fell 2.5% this past week, with "
                           "Friday's 2.6% drop doing all the damage.")
    assert [(k, w) for k, _, _, w in got] == [("return", "this past week"),
                                              ("one_day", "Friday's")]


def test_option_figures_are_not_levels_and_funds_resolve_by_full_name(table) -> None:
    assert claims_of(table, "1-month SPX implied vol is at 14.2.") == []
    got = claims_of(table, "October 10, 2025\n\nOn Friday the VanEck Semiconductor ETF "
                           "tumbled 5.8% and the iShares China Large-Cap ETF lost 5.4%.")
    assert [t for _, t, _, _ in got] == [["SMH"], ["FXI"]]


def test_bare_dow_is_the_index_and_dow_inc_the_company(table) -> None:
    assert [m.alias.ticker for m in table.find("Dow -2.2%")] == ["DIA"]
    assert [m.alias.ticker for m in table.find("Dow Inc. fell 3%")] == ["DOW"]


def test_company_names_come_from_a_market_view(store) -> None:
    from rotascope.text.claims.verify import check_text
    from rotascope.text.marketdata import open_market

    rep = check_text("April 17, 2026\n\nCoinbase rose 23% this week.", open_market(store))
    (row,) = rep.to_dict()["claims"]
    assert row["instruments"] == ["COIN"]


def test_ticker_figure_and_shorthand_period_is_a_claim_not_a_cell(table) -> None:
    assert claims_of(table, "TSLA +14.8% w/w.") == [("return", ["TSLA"], pytest.approx(0.148),
                                                      "w/w")]
    assert claims_of(table, "-3.1%") == []          # a bare table cell stays none


def test_fractions_in_words(table) -> None:
    got = claims_of(table, "August 1, 2025\n\nFor the week, the S&P's down about two and a "
                           "half percent. Bitcoin is down a third from its peak.")
    assert [(k, t, round(v, 4)) for k, t, v, _ in got] == [
        ("return", ["SPY"], -0.025), ("drawdown", ["IBIT"], -0.3333)]


def test_running_total_over_a_named_period(table) -> None:
    got = claims_of(table, "October 10, 2025\n\nGold climbed 1% on Friday to extend its 2025 "
                           "advance to 52%. Oil fell 2% on Friday, trimming its weekly gain to "
                           "1.2%.")
    assert [(t, round(v, 3), w) for _, t, v, w in got] == [
        (["GLD"], 0.01, "on Friday"), (["GLD"], 0.52, "2025"),
        (["USO"], -0.02, "on Friday"), (["USO"], 0.012, "weekly")]


def _previous_n_row_low(close: pd.Series, day: str, n: int) -> pd.Timestamp:
    """Independently: the last date before ``day`` whose close was under each of the n
    closes before it."""
    x = close.loc[:pd.Timestamp(day)].iloc[:-1]
    lows = [x.index[i] for i in range(n, len(x)) if x.iloc[i] < x.iloc[i - n:i].min()]
    return lows[-1]


@pytest.mark.parametrize("since,expected", [("April 2025", "holds"),
                                            ("March 2025", "does not hold"),
                                            ("June 2025", "roughly")])
def test_first_n_month_low_since(store, market_data, since, expected) -> None:
    from rotascope.text.claims.verify import check_text
    from rotascope.text.marketdata import open_market

    close = pd.read_csv(market_data / "prices" / "SPY.csv", parse_dates=["Date"]
                        ).set_index("Date")["Close"]
    x = close.loc[:"2026-03-20"]
    assert x.iloc[-1] < x.iloc[-85:-1].min()            # a 4-month (84-session) low
    prev = _previous_n_row_low(close, "2026-03-20", 84)
    assert prev.strftime("%Y-%m") == "2025-04"           # so April holds, as labelled
    rep = check_text(f"March 20, 2026\n\nThe S&P 500 closed at its first 4-month low since "
                     f"{since}.", open_market(store))
    (row,) = rep.to_dict()["claims"]
    assert (row["kind"], row["verdict"]) == ("extreme", expected), row["reason"]
    assert row["computed"]["previous_extreme"] == str(prev.date())
