"""Universes: built-ins, user YAML, stored point-in-time membership, CLI."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from rotascope.config import Settings
from rotascope.data.store import Store
from rotascope.data.universes import (
    add_universe,
    builtin_universes,
    list_universes,
    membership_intervals,
    membership_mask,
    read_changes,
    read_members,
    resolve_universe,
)
from rotascope.errors import FileFormatError, UnknownTickerError, UnknownUniverseError
from rotascope.outputs.cli.main import cli

ISSUE_UNIVERSES = {
    "mag7": "AAPL MSFT GOOGL AMZN NVDA META TSLA",
    "leadership": "MAGS XMAG SPY RSP QQQ IWM",
    "style": "IWF IWD SPYG SPYV MTUM QUAL USMV SPHB SPLV",
    "sectors": "XLB XLC XLE XLF XLI XLK XLP XLRE XLU XLV XLY",
    "global": "SPY ACWX EFA VGK EWJ EEM VWO",
    "macro": "TLT IEF HYG LQD GLD UUP VIXY ^TNX",
    "crypto": "IBIT BTC",
}


def test_builtin_universes_are_the_issue_lists():
    found = builtin_universes()
    assert {k: " ".join(v.tickers) for k, v in found.items()} == ISSUE_UNIVERSES
    assert all(u.source == "builtin" and u.benchmark == "SPY" for u in found.values())


def test_user_file_overrides_and_extends(tmp_path):
    settings = Settings(home=tmp_path)
    settings.universes_path.write_text(
        "mag7:\n  description: mine\n  tickers: [aapl, brk.b]\n"
        "chips:\n  tickers: [NVDA, AMD]\n  benchmark: SOXX\n")
    assert resolve_universe("mag7", settings=settings).tickers == ("AAPL", "BRK-B")
    chips = resolve_universe("chips", settings=settings)
    assert chips.source == "user" and chips.benchmark == "SOXX"
    assert resolve_universe("sectors", settings=settings).source == "builtin"
    names = [u.name for u in list_universes(None, settings)]
    assert "chips" in names and "crypto" in names


@pytest.mark.parametrize("text,line,words", [
    ("a:\n  tickers: [X]\nb:\n  tickers: []\n", 3, "non-empty list"),
    ("a:\n  tickers: [X]\n  colour: red\n", 1, "unknown key"),
    ("a:\n  tickers: [X, x]\n", 1, "more than once"),
    ("a: [X\n", 2, "invalid YAML"),
    ("- a\n- b\n", 1, "mapping"),
])
def test_user_file_errors_name_file_and_line(tmp_path, text, line, words):
    settings = Settings(home=tmp_path)
    settings.universes_path.write_text(text)
    with pytest.raises(FileFormatError) as info:
        resolve_universe("a", settings=settings)
    assert info.value.path == str(settings.universes_path)
    assert info.value.line == line
    assert words in info.value.reason


def test_unknown_universe_lists_known_names(tmp_path):
    with pytest.raises(UnknownUniverseError) as info:
        resolve_universe("nope", settings=Settings(home=tmp_path))
    assert "mag7" in str(info.value) and "crypto" in str(info.value)


def test_require_prices_lists_all_missing(tmp_path):
    idx = pd.bdate_range("2024-01-01", periods=3, name="date")
    from rotascope.data.model import SeriesData

    with Store(tmp_path / "s.duckdb") as store:
        store.import_series([SeriesData("AAPL", pd.DataFrame({"close": [1.0, 2, 3]}, index=idx),
                                        "t", "x", "1")])
        with pytest.raises(UnknownTickerError) as info:
            resolve_universe("mag7", store, Settings(home=tmp_path), require_prices=True)
    assert info.value.tickers == ["MSFT", "GOOGL", "AMZN", "NVDA", "META", "TSLA"]
    assert "rotascope data update mag7" in str(info.value)


# -- point in time -------------------------------------------------------------------------

def _oracle_members(market_data: Path, day: str) -> set[str]:
    """The README's recipe: today's list with every event after `day` undone."""
    with (market_data / "constituents" / "sp500.csv").open(newline="") as fh:
        members = {r["Symbol"].replace(".", "-") for r in csv.DictReader(fh)}
    with (market_data / "constituents" / "sp500_changes.csv").open(newline="") as fh:
        events = [r for r in csv.DictReader(fh) if r["date"] > day]
    for e in sorted(events, key=lambda e: e["date"], reverse=True):
        sym = e["symbol"].replace(".", "-")
        if e["action"] == "added":
            members.discard(sym)
        else:
            members.add(sym)
    return members


DAYS = ["2013-01-02", "2013-05-06", "2015-09-22", "2016-01-04", "2019-06-28", "2020-05-11",
        "2022-12-23", "2022-12-24", "2024-06-28", "2026-07-14", "2026-08-08"]


def test_sp500_point_in_time_matches_the_recipe(loaded_store, market_data):
    with Store(loaded_store.store_path, read_only=True) as store:
        members = store.universe_members("sp500")
        idx = pd.DatetimeIndex(DAYS)
        everyone = sorted(set(members["ticker"]))
        mask = membership_mask(store, "sp500", idx, everyone)
        for day in DAYS:
            expected = _oracle_members(market_data, day)
            assert set(mask.columns[mask.loc[day].to_numpy()]) == expected, day
            assert set(resolve_universe("sp500", store, as_of=day).tickers) == expected, day
        today = resolve_universe("sp500", store)
    assert today.point_in_time and len(today.tickers) == 503
    counts = mask.sum(axis=1)
    assert counts.between(498, 505).all()
    assert mask.loc["2022-12-23", "FB"] and not mask.loc["2022-12-24", "FB"]
    assert mask.loc["2022-12-24", "META"] and not mask.loc["2022-12-23", "META"]


def test_mask_for_yaml_universe_and_unknown_columns(loaded_store):
    idx = pd.bdate_range("2024-01-01", periods=3)
    with Store(loaded_store.store_path, read_only=True) as store:
        m = membership_mask(store, "mag7", idx, ["AAPL", "SPY"])
        s = membership_mask(store, "sp500", idx, ["AAPL", "NOT_A_MEMBER"])
    assert m["AAPL"].all() and not m["SPY"].any()
    assert s["AAPL"].all() and not s["NOT_A_MEMBER"].any()
    assert s.dtypes.eq(bool).all()


def test_intervals_from_a_handwritten_history(tmp_path):
    (tmp_path / "m.csv").write_text("Symbol,Security,GICS Sector\nAAA,A Co,Energy\n"
                                    "CCC,C Co,Utilities\nBRK.B,Berkshire,Financials\n")
    (tmp_path / "c.csv").write_text("date,symbol,action\n2020-01-10,CCC,added\n"
                                    "2020-01-10,BBB,removed\n2021-03-01,AAA,added\n"
                                    "2020-06-01,AAA,removed\n")
    iv = membership_intervals(read_members(tmp_path / "m.csv"), read_changes(tmp_path / "c.csv"))
    got = {(r.ticker, None if pd.isna(r.start_date) else str(r.start_date.date()),
            None if pd.isna(r.end_date) else str(r.end_date.date())) for r in iv.itertuples()}
    assert got == {("AAA", None, "2020-06-01"), ("AAA", "2021-03-01", None),
                   ("BBB", None, "2020-01-10"), ("CCC", "2020-01-10", None),
                   ("BRK-B", None, None)}
    assert iv.set_index(["ticker", "start_date"]).loc[("CCC", pd.Timestamp("2020-01-10")),
                                                       "sector"] == "Utilities"


@pytest.mark.parametrize("members,changes,path,line,words", [
    ("Name\nX\n", None, "m", 1, "no ticker column"),
    ("Symbol\nA\n\nA\n", None, "m", 4, "already on line 2"),
    ("Symbol,Sector\nA,X\n,Y\n", None, "m", 3, "empty Symbol"),
    ("Symbol\nA\n", "date,symbol,action\n2020-01-01,A,joined\n", "c", 2, "'added' or"),
    ("Symbol\nA\n", "date,symbol,action\n2020-02-30,A,added\n", "c", 2, "no such day"),
    ("Symbol\nA\n", "date,symbol,action\n01/02/2020,A,added\n", "c", 2, "unparsable date"),
    ("Symbol\nA\n", "date,symbol\n2020-01-01,A\n", "c", 1, "no action column"),
    ("Symbol\nA\n", "date,symbol,action\n2020-01-01,A,added\n2020-03-01,A,added\n", "c", 2,
     "A added on 2020-01-01 but not a member afterwards, since line 3 has it added again"),
    ("Symbol\nA\n", "date,symbol,action\n2020-01-01,B,added\n", "c", 2,
     "B added on 2020-01-01 but not a member afterwards, according to the member list"),
    ("Symbol\nA\n", "date,symbol,action\n2020-01-01,A,removed\n", "c", 2,
     "A removed on 2020-01-01 but still a member"),
])
def test_malformed_rows_name_file_and_line(tmp_path, members, changes, path, line, words):
    (tmp_path / "m").write_text(members)
    if changes is not None:
        (tmp_path / "c").write_text(changes)
    with Store(tmp_path / "s.duckdb") as store:
        with pytest.raises(FileFormatError) as info:
            add_universe(store, "u", tmp_path / "m",
                         tmp_path / "c" if changes is not None else None)
        assert store.universe_names() == []                 # nothing stored
    assert info.value.path == str(tmp_path / path)
    assert info.value.line == line
    assert words.lower() in info.value.reason.lower()


def test_cli_universe_add_list_show(tmp_path, market_data):
    runner = CliRunner()
    home = ["--home", str(tmp_path / "home")]
    c = market_data / "constituents"
    r = runner.invoke(cli, [*home, "universe", "add", "sp500", str(c / "sp500.csv"),
                            "--changes", str(c / "sp500_changes.csv"), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["members"] == 503 and out["point_in_time"] is True
    assert len(out["without_prices"]) == 503                 # no prices imported here
    r = runner.invoke(cli, [*home, "universe", "list", "--json"])
    names = {u["name"]: u for u in json.loads(r.stdout)["universes"]}
    assert set(ISSUE_UNIVERSES) | {"sp500"} == set(names)
    assert names["sp500"]["source"] == "store" and names["mag7"]["members"] == 7
    r = runner.invoke(cli, [*home, "universe", "show", "sp500", "--as-of", "2015-09-22",
                            "--json"])
    shown = json.loads(r.stdout)
    assert set(shown["tickers"]) == _oracle_members(market_data, "2015-09-22")
    assert shown["as_of"] == "2015-09-22"
    brk = [m for m in shown["members"] if m["ticker"] == "BRK-B"]
    assert brk and brk[0]["sector"] == "Financials"
    r = runner.invoke(cli, [*home, "universe", "show", "nope"])
    assert r.exit_code == 3 and "unknown universe 'nope'" in r.output


def test_mask_is_vectorised_over_many_dates(loaded_store):
    idx = pd.bdate_range("2013-01-01", "2026-08-07")
    with Store(loaded_store.store_path, read_only=True) as store:
        cols = store.tickers()
        mask = membership_mask(store, "sp500", idx, cols)
    assert mask.shape == (len(idx), len(cols))
    # a current member with no changes events is a member on every date
    assert mask["MMM"].all()
    assert np.array_equal(mask.to_numpy().sum(axis=1) > 0, np.ones(len(idx), bool))
