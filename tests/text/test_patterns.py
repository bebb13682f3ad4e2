"""Rule-based claim extraction: every kind in several phrasings, subjects, periods."""

from __future__ import annotations

import pytest

from rotascope.text.aliases import load_aliases
from rotascope.text.claims.model import KINDS
from rotascope.text.claims.patterns import RULES, extract_claims, parse_number, parse_qualifier
from rotascope.text.extract import parse_document


@pytest.fixture(scope="module")
def table():
    return load_aliases()


def claims_of(table, text: str):
    return extract_claims(parse_document(text), table)


def one(table, text: str):
    found = claims_of(table, text)
    assert len(found) == 1, [(c.kind, c.quote) for c in found]
    return found[0]


@pytest.mark.parametrize("text,kind,tickers,stated,qualifier,window", [
    # returns over a window and year to date
    ("The Magnificent Seven is down 8% year to date.", "return", ["MAGS"], -0.08, None, "ytd"),
    ("Meta is up roughly 30% so far this year.", "return", ["META"], 0.30, "about", "ytd"),
    ("Over the past month, the equal-weight S&P 500 gained 4.5%.", "return", ["RSP"], 0.045,
     None, "rows"),
    ("Small caps have returned 12% over the past three months.", "return", ["IWM"], 0.12, None,
     "rows"),
    ("Amazon ended the week 3% lower.", "return", ["AMZN"], -0.03, None, "calendar"),
    ("Apple's 5% gain this week stood out.", "return", ["AAPL"], 0.05, None, "calendar"),
    ("In June the Nasdaq 100 fell 2.1%.", "return", ["QQQ"], -0.021, None, "calendar"),
    # one-day moves
    ("Nvidia surged over 3% on Friday.", "one_day", ["NVDA"], 0.03, "over", "day"),
    ("Japanese stocks closed 2% higher on Tuesday.", "one_day", ["EWJ"], 0.02, None, "day"),
    ("A 3% drop for Microsoft on Wednesday weighed on the index.", "one_day", ["MSFT"], -0.03,
     None, "day"),
    ("IBIT tumbled 8% in a single session.", "one_day", ["IBIT"], -0.08, None, "day"),
    # declines over a window (speed)
    ("MAGS shed 25% in two weeks.", "decline", ["MAGS"], -0.25, None, "rows"),
    ("Tech stocks lost 4.5% in three sessions.", "decline", ["XLK"], -0.045, None, "rows"),
    ("Bitcoin is down nearly 20% in a month.", "decline", ["IBIT"], -0.20, "nearly", "rows"),
    # drawdowns
    ("Tesla is down 40% from its all-time high.", "drawdown", ["TSLA"], -0.40, None, "peak"),
    ("Nvidia is 15% below its record high.", "drawdown", ["NVDA"], -0.15, None, "peak"),
    ("The Nasdaq 100 is in correction territory.", "drawdown", ["QQQ"], -0.10, "over", "peak"),
    ("Small caps entered a bear market.", "drawdown", ["IWM"], -0.20, "over", "peak"),
    ("Gold is now 24% off its January peak.", "drawdown", ["GLD"], -0.24, None, "peak"),
    ("MAGS sits 4.6% below its 52-week high.", "drawdown", ["MAGS"], -0.046, None, "peak"),
])
def test_moves(table, text, kind, tickers, stated, qualifier, window) -> None:
    c = one(table, text)
    assert (c.kind, c.tickers, c.qualifier) == (kind, tickers, qualifier)
    assert c.stated == pytest.approx(stated)
    assert c.window is not None and c.window.type == window
    assert c.quote in text and c.rule


@pytest.mark.parametrize("text,tickers,stated,unit", [
    ("The equal-weight S&P 500 has outperformed the S&P 500 by 5 percentage points this year.",
     ["RSP", "SPY"], 0.05, "pp"),
    ("Small caps lagged the Nasdaq 100 by 3 points over the past month.", ["IWM", "QQQ"], -0.03,
     "pp"),
    ("Europe is ahead of the S&P 500 by 14 pp this year.", ["VGK", "SPY"], 0.14, "pp"),
    ("MAGS trailed XMAG by about 6% year to date.", ["MAGS", "XMAG"], -0.06, "%"),
])
def test_outperformance(table, text, tickers, stated, unit) -> None:
    c = one(table, text)
    assert (c.kind, c.tickers, c.details["unit"]) == ("outperformance", tickers, unit)
    assert c.stated == pytest.approx(stated) and c.window.type in ("ytd", "rows")


def test_outperformance_sign_and_gap(table) -> None:
    c = one(table, "The equal-weight index beat the cap-weighted S&P 500 this month.")
    assert (c.kind, c.tickers, c.stated, c.details["sign_only"]) == (
        "outperformance", ["RSP", "SPY"], "outperformed", True)
    c = one(table, "The gap between the Magnificent Seven and the S&P 493 has widened to 12 "
                   "percentage points this year.")
    assert (c.tickers, c.stated, c.details["absolute"]) == (["MAGS", "XMAG"], 0.12, True)


@pytest.mark.parametrize("text,kind,tickers,stated", [
    ("The Mag 7 hit a new 4-month low relative to the S&P 500.", "ratio_extreme",
     ["MAGS", "SPY"], {"side": "low", "rows": 84, "span": "4-month"}),
    ("The ratio of MAGS to RSP hit a 6-month high.", "ratio_extreme", ["MAGS", "RSP"],
     {"side": "high", "rows": 126, "span": "6-month"}),
    ("The MAGS/SPY ratio is at its weakest since April.", "ratio_extreme", ["MAGS", "SPY"],
     {"side": "low", "since": "Apr"}),
    ("MAGS relative to SPY is at its lowest since March 2025.", "ratio_extreme",
     ["MAGS", "SPY"], {"side": "low", "since": "Mar 2025"}),
    ("Small caps are at a 52-week high versus the S&P 500.", "ratio_extreme", ["IWM", "SPY"],
     {"side": "high", "rows": 252, "span": "52-week"}),
    ("Tech stocks closed at a 3-month high.", "extreme", ["XLK"],
     {"side": "high", "rows": 63, "span": "3-month"}),
    ("Gold hit a record high.", "extreme", ["GLD"],
     {"side": "high", "rows": None, "span": "all history"}),
    ("The S&P 500 sank to an 11-month low.", "extreme", ["SPY"],
     {"side": "low", "rows": 231, "span": "11-month"}),
])
def test_extremes(table, text, kind, tickers, stated) -> None:
    c = one(table, text)
    assert (c.kind, c.tickers, c.stated) == (kind, tickers, stated)


@pytest.mark.parametrize("text,tickers,stated", [
    ("Nvidia slipped below its 20, 50 and 100-day averages.", ["NVDA"],
     {"position": {"20": "below", "50": "below", "100": "below"}}),
    ("Semiconductors remain above their 50- and 200-day moving averages.", ["SMH"],
     {"position": {"50": "above", "200": "above"}}),
    ("The S&P 500 reclaimed its 200-day.", ["SPY"], {"position": {"200": "above"}}),
    ("The S&P 500 is trading below a falling 50-day moving average.", ["SPY"],
     {"position": {"50": "below"}, "direction": {"50": "falling"}}),
    ("Tesla's 50-day moving average is rising.", ["TSLA"], {"direction": {"50": "rising"}}),
    ("The 50-day moving average is turning lower for Tesla.", ["TSLA"],
     {"direction": {"50": "turning down"}}),
    ("Apple lost its 10-week moving average.", ["AAPL"], {"position": {"50": "below"}}),
])
def test_moving_averages(table, text, tickers, stated) -> None:
    c = one(table, text)
    assert (c.kind, c.tickers, c.stated) == ("moving_average", tickers, stated)


def test_n_week_highs_are_not_moving_averages(table) -> None:
    found = claims_of(table, "MAGS trades below its 52-week high and above its 10-week average.")
    assert [(c.kind, c.stated) for c in found] == [
        ("moving_average", {"position": {"50": "above"}})]


def test_exponential_average_is_recognised(table) -> None:
    c = one(table, "QQQ closed above its 21-day exponential moving average.")
    assert c.details["ma"] == "ema" and c.stated == {"position": {"21": "above"}}


@pytest.mark.parametrize("text,tickers,stated,details", [
    ("Nvidia's RSI is above 50.", ["NVDA"], 50.0, {"relation": "above", "window": 14}),
    ("SPY's 14-day RSI fell below 30 on Tuesday.", ["SPY"], 30.0,
     {"relation": "below", "window": 14}),
    ("Tesla is oversold.", ["TSLA"], 30.0, {"relation": "below", "state": "oversold"}),
    ("Meta looks overbought.", ["META"], 70.0, {"relation": "above", "state": "overbought"}),
    ("Apple's RSI is making lower highs and lower lows.", ["AAPL"],
     "lower highs and lower lows", {"pattern": "lower highs and lower lows"}),
    ("Higher highs and higher lows on the 9-day RSI of QQQ.", ["QQQ"],
     "higher highs and higher lows", {"window": 9}),
])
def test_rsi(table, text, tickers, stated, details) -> None:
    c = one(table, text)
    assert (c.kind, c.tickers, c.stated) == ("rsi", tickers, stated)
    for k, v in details.items():
        assert c.details[k] == v


@pytest.mark.parametrize("text,stated,side,ma,qualifier,universe", [
    ("Only 62% of S&P 500 stocks are above their 50-day moving average.", 0.62, "above", 50,
     None, "sp500"),
    ("More than 70% of S&P 500 members trade above their 200-day moving average.", 0.70,
     "above", 200, "over", "sp500"),
    ("The share of stocks above their 200-day fell to 40%.", 0.40, "above", 200, None, "sp500"),
    ("About 35 percent of Nasdaq-100 stocks are below their 20-day.", 0.35, "below", 20,
     "about", "nasdaq100"),
])
def test_breadth(table, text, stated, side, ma, qualifier, universe) -> None:
    c = one(table, text)
    assert c.kind == "breadth" and c.stated == pytest.approx(stated)
    assert (c.details["side"], c.details["ma"], c.details["universe"], c.qualifier) == (
        side, ma, universe, qualifier)


@pytest.mark.parametrize("text,kind,tickers,stated,relation", [
    ("The S&P 500 is trading between 6,800 and 7,000.", "range", ["SPY"],
     {"low": 6800.0, "high": 7000.0}, None),
    ("The 10-year yield is in a 4.2%-4.5% range.", "range", ["^TNX"],
     {"low": 4.2, "high": 4.5}, None),
    ("Bitcoin is testing $60,000.", "level", ["IBIT"], 60000.0, "testing"),
    ("The 10-year yield rose to 4.6% on Friday.", "level", ["^TNX"], 4.6, "at"),
    ("The Dow closed at 45,000.", "level", ["DIA"], 45000.0, "at"),
    ("The S&P 500 broke above 6,000.", "level", ["SPY"], 6000.0, "above"),
    ("Bitcoin fell below $60k.", "level", ["IBIT"], 60000.0, "below"),
])
def test_levels_and_ranges(table, text, kind, tickers, stated, relation) -> None:
    c = one(table, text)
    assert (c.kind, c.tickers, c.stated) == (kind, tickers, stated)
    if relation:
        assert c.details["relation"] == relation


def test_yield_moves_in_basis_points(table) -> None:
    c = one(table, "The 10-year yield rose 15 basis points last week.")
    assert (c.kind, c.tickers, c.stated, c.details["unit"]) == ("return", ["^TNX"], 15.0, "bp")


def test_several_claims_in_one_sentence_have_their_own_subjects(table) -> None:
    found = claims_of(table, "Apple rose 2% and Tesla fell 5% last week.")
    assert [(c.tickers, c.stated, c.quote) for c in found] == [
        (["AAPL"], 0.02, "Apple rose 2%"), (["TSLA"], -0.05, "Tesla fell 5% last week")]
    # The sentence's only period applies to both.
    assert all(c.window.text == "last week" for c in found)


def test_versus_figures_inherit_the_direction(table) -> None:
    found = claims_of(table, "Europe fell 2% in June, versus 1% for Japan.")
    assert [(c.tickers, c.stated) for c in found] == [(["VGK"], -0.02), (["EWJ"], -0.01)]


def test_a_second_figure_joined_by_and(table) -> None:
    found = claims_of(table, "Nvidia is up 8% for the week and 13% year to date.")
    assert [(c.tickers, c.stated, c.window.type) for c in found] == [
        (["NVDA"], 0.08, "calendar"), (["NVDA"], 0.13, "ytd")]
    found = claims_of(table, "Tesla fell 2% on Friday and 5% this week.")
    assert [c.stated for c in found] == [-0.02, -0.05]


def test_relative_extreme_uses_the_nearest_pair(table) -> None:
    found = claims_of(table, "RSP versus SPY hit a 3-month high, while XMAG relative to MAGS "
                             "made a fresh 20-day low.")
    assert [(c.kind, c.tickers, c.stated["side"]) for c in found] == [
        ("ratio_extreme", ["RSP", "SPY"], "high"), ("ratio_extreme", ["XMAG", "MAGS"], "low")]


def test_fraction_words_in_breadth_and_near_overbought(table) -> None:
    c = one(table, "Roughly two-thirds of stocks are above their 50-day.")
    assert (c.kind, c.qualifier) == ("breadth", "about")
    assert c.stated == pytest.approx(2 / 3)
    c = one(table, "Apple's RSI climbed to 66, near overbought territory.")
    assert (c.kind, c.stated, c.details["relation"]) == ("rsi", 66.0, "near")


def test_objects_are_not_subjects(table) -> None:
    found = claims_of(table, "Shares of Nvidia, which outperformed the S&P 500 last year, "
                             "fell 3% on Thursday.")
    assert [(c.kind, c.tickers) for c in found] == [
        ("outperformance", ["NVDA", "SPY"]), ("one_day", ["NVDA"])]
    assert found[1].window.text == "on Thursday"


def test_context_carries_subject_and_period(table) -> None:
    found = claims_of(table, "Nvidia rallied 8% last week. It fell 2% on Thursday. "
                             "Shares added 1% more.")
    assert [(c.tickers, c.kind) for c in found] == [
        (["NVDA"], "return"), (["NVDA"], "one_day"), (["NVDA"], "one_day")]
    # The third sentence states no period: the paragraph's last one is used, and marked.
    assert found[2].window.text == "on Thursday"
    assert found[2].window.origin.startswith("context: 'on Thursday'")
    # A paragraph (a bullet) stating no period reads the one of the paragraph before,
    # marked as such; three paragraphs on, nothing carries.
    found = claims_of(table, "Nvidia rallied 8% last week.\n\nTesla fell 2%.")
    assert found[1].window.text == "last week"
    assert found[1].window.origin == "context: 'last week' (an earlier paragraph)"
    found = claims_of(table, "Nvidia rallied 8% last week.\n\nNo figures.\n\n"
                             "None here.\n\nTesla fell 2%.")
    assert found[1].window is None


def test_anaphoric_periods_and_intraday_figures(table) -> None:
    found = claims_of(table, "Apple fell 2% on Tuesday, and Tesla sank 4% that day.")
    assert [(c.tickers, c.kind, c.window.text) for c in found] == [
        (["AAPL"], "one_day", "on Tuesday"), (["TSLA"], "one_day", "on Tuesday")]
    # "in the session" after a weekly figure is the reference date's session.
    found = claims_of(table, "Apple fell 2% this week. Tesla sank 4% in the session.")
    assert found[1].kind == "one_day" and found[1].window.relative == "today"
    # A figure at the open is not the close.
    found = claims_of(table, "Nvidia closed down 3.2% yesterday after being up 5% at the open.")
    assert [c.stated for c in found] == [-0.032]
    # Numbers in words, and "like" as a hedge.
    found = claims_of(table, "TSLA up twenty-three percent yesterday. SPY down like 10% YTD.")
    assert [(c.stated, c.qualifier) for c in found] == [(0.23, None), (-0.10, "about")]


@pytest.mark.parametrize("text", [
    "Apple said revenue rose 5% last quarter.",
    "Microsoft's market cap rose 5% this year.",
    "Inflation fell to 2.4% in June.",
    "Nvidia's weight in the index rose 2% this year.",
    "The rally was broad.",
])
def test_business_figures_and_prose_are_not_claims(table, text) -> None:
    assert claims_of(table, text) == []


def test_no_instrument_keeps_the_claim_without_subject(table) -> None:
    c = one(table, "Stocks rose 2% this week.")
    assert c.instruments == () and c.kind == "return"


def test_every_kind_has_a_rule_and_rules_are_named() -> None:
    kinds = {r.kind for r in RULES} | {"one_day", "decline", "ratio_extreme"}
    assert set(KINDS) <= kinds
    assert len({r.name for r in RULES}) == len(RULES)


def test_number_and_qualifier_parsing() -> None:
    assert parse_number("6,800") == 6800.0 and parse_number("\u22123.5") == -3.5
    assert parse_number("$60k") == 60000.0 and parse_number("60 thousand") == 60000.0
    assert parse_qualifier("more than") == "over" and parse_qualifier("nearly") == "nearly"
    assert parse_qualifier("roughly") == "about" and parse_qualifier("less than") == "under"
    assert parse_qualifier("just") is None


def test_table_cells_are_claims_with_row_name_and_column_period(table) -> None:

    md = ("| Asset | Week | Year to date | Weight |\n|---|---|---|---|\n"
          "| S&P 500 | +1.2% | -14.2% | 30% |\n| Samsung | +3% | +4% | 1% |\n"
          "| 10-year yield | +12 bp | | |\n")
    doc = parse_document(md, format="markdown")
    found = [c for c in extract_claims(doc, table) if c.rule == "table_cell"]
    assert [(c.quote, c.tickers, c.stated, c.window.text) for c in found] == [
        ("S&P 500 +1.2%, Week", ["SPY"], 0.012, "week"),
        ("S&P 500 -14.2%, Year to date", ["SPY"], -0.142, "Year to date"),
        ("10-year yield +12 bp, Week", ["^TNX"], 12.0, "week")]
    assert all(c.line == 3 for c in found[:2]) and found[2].line == 5
    assert found[2].details["unit"] == "bp"
    html = ("<table><tr><th>Market</th><th>This week</th></tr>"
            "<tr><td>Nasdaq 100</td><td>-2.2%</td></tr></table>")
    found = extract_claims(parse_document(html, format="html"), table)
    assert [(c.tickers, c.stated, c.window.unit) for c in found] == [(["QQQ"], -0.022, "week")]


def test_table_cells_are_bounded(table) -> None:
    from rotascope.text.claims.patterns import MAX_TABLE_CLAIMS

    rows = "\n".join(f"| Apple | +{i % 7}.1% |" for i in range(MAX_TABLE_CLAIMS + 5))
    doc = parse_document(f"| Asset | Week |\n|---|---|\n{rows}\n", format="markdown")
    assert len(extract_claims(doc, table)) == MAX_TABLE_CLAIMS
    assert any("only the first" in w for w in doc.warnings)


@pytest.mark.parametrize("text,tickers,kind", [
    ("Year to date, the S&P 500 is down 2.9% and the equal-weight index has outperformed it "
     "by 3.9 percentage points.", ["RSP", "SPY"], "outperformance"),
    ("Late 2024 has been kind to Tesla, which has rallied 61% since the end of September.",
     ["TSLA"], "return"),
    ("Alphabet's the only one of the Magnificent Seven that's up this month.", ["GOOGL"],
     "rank"),
    ("Over the past three months, small caps have returned 16%, 4 points more than the "
     "S&P 500.", ["IWM", "SPY"], "outperformance"),
    ("In July, small caps outpaced the Nasdaq 100 by some 12 points over the month.",
     ["IWM", "QQQ"], "outperformance"),
])
def test_objects_relative_clauses_and_ranks(table, text: str, tickers: list, kind: str) -> None:
    found = [c for c in claims_of(table, text) if c.kind == kind]
    assert [c.tickers for c in found][-1] == tickers
    if "over the month" in text:
        assert found[-1].window.month == 7          # the month named before it


def test_second_breadth_share_with_stocks_left_out(table) -> None:
    found = claims_of(table, "About 60% of S&P 500 members now trade above their 50-day "
                             "moving average, and nearly two-thirds are above the 200-day.")
    assert [(c.kind, c.details["ma"], c.qualifier, c.quote.split()[0]) for c in found] == [
        ("breadth", 50, "about", "About"), ("breadth", 200, "nearly", "nearly")]
    # Without a breadth share before it, "30% are above the 200-day" is no breadth claim.
    assert not [c for c in claims_of(table, "Apple rose 5% and 30% are above the 200-day.")
                if c.kind == "breadth"]


def test_cut_in_half_is_a_fall_of_about_half_from_the_high(table) -> None:
    found = claims_of(table, "Tesla has been cut in half from its December high, down "
                             "roughly 38% this year.")
    assert [(c.kind, c.stated, c.qualifier) for c in found] == [
        ("drawdown", -0.5, "about"), ("return", -0.38, "about")]
    assert found[0].window.month == 12 and found[0].window.type == "peak"
