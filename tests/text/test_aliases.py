"""The alias table: names -> tickers, matching rules, user extensions, store names."""

from __future__ import annotations

from pathlib import Path

import pytest

from rotascope.errors import FileFormatError
from rotascope.text.aliases import NOT_TICKERS, clean_company_name, load_aliases


@pytest.fixture(scope="module")
def table():
    return load_aliases()


def _found(table, text: str) -> list[tuple[str, str | None]]:
    return [(m.text, m.ticker) for m in table.find(text)]


def test_index_etf_and_company_names(table) -> None:
    text = ("The S&P 500, the Nasdaq 100, the Russell 2000, bitcoin, Europe, Japan, "
            "emerging markets, the Magnificent Seven, Mag-7, Mag7, the equal-weight S&P 500 "
            "and Nvidia.")
    assert _found(table, text) == [
        ("S&P 500", "SPY"), ("Nasdaq 100", "QQQ"), ("Russell 2000", "IWM"),
        ("bitcoin", "IBIT"), ("Europe", "VGK"), ("Japan", "EWJ"), ("emerging markets", "EEM"),
        ("Magnificent Seven", "MAGS"), ("Mag-7", "MAGS"), ("Mag7", "MAGS"),
        ("equal-weight S&P 500", "RSP"), ("Nvidia", "NVDA")]


def test_scale_factors_and_missing_proxies_are_documented(table) -> None:
    spy = table.lookup("S&P 500")
    assert spy.level == ("anchor", 1.0) and spy.proxy and spy.index_series[0] == "^GSPC"
    assert spy.anchor.date == "2024-12-31" and spy.anchor.level == 5881.63
    assert table.lookup("Dow Jones").anchor.level == 42544.22
    assert table.lookup("Nasdaq 100").anchor.level == 21012.17
    assert table.lookup("bitcoin").index_series == ("BTC-USD", "CBBTCUSD")
    assert table.lookup("Nasdaq").level is None
    vix = table.lookup("VIX")
    assert vix.ticker is None and "not the index" in vix.reason
    assert table.lookup("10-year yield").ticker == "^TNX"
    assert table.lookup("10-year yield").is_yield
    assert table.lookup("Nasdaq").loose and not table.lookup("Nasdaq 100").loose


def test_longest_match_and_ignore_list(table) -> None:
    assert _found(table, "The S&P 500 Equal Weight index and the S&P 400.") == [
        ("S&P 500 Equal Weight", "RSP"), ("S&P 400", "IJH")]
    assert _found(table, "The Bank of Japan and the European Central Bank met.") == []
    assert _found(table, "Central banks cut rates; bank stocks rose.") == [
        ("bank stocks", "KBE")]


def test_ticker_rules(table) -> None:
    # Known tickers in capitals count; common capitalised words do not; cashtags always do.
    assert _found(table, "NVDA and BRK-B rose, IT and ALL did not, $ALL did.") == [
        ("NVDA", "NVDA"), ("BRK-B", "BRK-B"), ("$ALL", "ALL")]
    assert {"IT", "ALL", "CEO", "ETF", "RSI"} <= NOT_TICKERS
    # Lower case is a word, not a ticker; a headline in capitals has no bare tickers.
    assert _found(table, "the spy who loved me") == []
    assert _found(table, "NVDA SOARS AS CHIP STOCKS RALLY") == [("CHIP STOCKS", "SMH")]
    # Case-sensitive company names: "apple" the fruit is not Apple.
    assert _found(table, "an apple a day; Apple rose") == [("Apple", "AAPL")]


def test_clean_company_name() -> None:
    assert clean_company_name("Apple Inc.") == "Apple"
    assert clean_company_name("Alphabet Inc. (Class A)") == "Alphabet"
    assert clean_company_name("The Walt Disney Company") == "Walt Disney"
    assert clean_company_name("JPMorgan Chase & Co.") == "JPMorgan Chase"
    assert clean_company_name("Exxon Mobil Corporation") == "Exxon Mobil"


def test_user_file_adds_and_overrides(tmp_path: Path) -> None:
    user = tmp_path / "aliases.yaml"
    user.write_text(
        "_ignore: [Dr. Copper]\n"
        "copper:\n  ticker: CPER\n  names: [copper, Dr. Copper prices]\n"
        "mag7:\n  names: [Fab Seven]\n"
        "sp500:\n  names: [the benchmark]\n  replace_names: true\n", encoding="utf-8")
    t = load_aliases(user)
    assert t.lookup("copper").ticker == "CPER" and t.lookup("copper").origin.endswith(":2")
    assert t.lookup("Fab Seven").ticker == "MAGS"
    assert t.lookup("Mag-7").ticker == "MAGS"            # built-in names kept
    assert t.lookup("the benchmark").ticker == "SPY"
    assert t.lookup("S&P 500") is None                   # replaced
    assert t.lookup("S&P 500 Equal Weight").ticker == "RSP"
    assert _found(t, "Dr. Copper is up.") == []


@pytest.mark.parametrize("body,line,message", [
    ("ok:\n  ticker: SPY\n  names: [a]\nbad:\n  names: [b]\n", 4, "needs a 'ticker'"),
    ("x:\n  ticker: SPY\n  nmes: [a]\n", 1, "unknown field(s) nmes"),
    ("x:\n  ticker: SPY\n  level: {field: open}\n", 1, "'level' must be null"),
    ("x: [unclosed\n", 2, "not valid YAML"),
])
def test_user_file_errors_name_file_and_line(tmp_path: Path, body: str, line: int,
                                              message: str) -> None:
    user = tmp_path / "aliases.yaml"
    user.write_text(body, encoding="utf-8")
    with pytest.raises(FileFormatError) as err:
        load_aliases(user)
    assert message in err.value.reason
    assert err.value.line == line and err.value.path == str(user)


def test_store_company_names(store) -> None:
    t = load_aliases(store=store)
    assert t.lookup("Caterpillar").ticker == "CAT"       # from the sp500 universe
    assert t.lookup("Exxon").ticker == "XOM"             # built-in alias wins
    assert t.lookup("CAT").ticker == "CAT"               # a store ticker written bare
    assert _found(t, "Caterpillar and JPMorgan Chase rose.") == [
        ("Caterpillar", "CAT"), ("JPMorgan Chase", "JPM")]
