"""Holdings files: portfolio CSV/YAML, issuer layouts, the fund_holdings table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rotascope.data.holdings import (
    import_fund_holdings,
    list_fund_holdings,
    read_fund_holdings,
    read_holdings,
    stored_fund_holdings,
)
from rotascope.data.store import Store
from rotascope.errors import FileFormatError

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "holdings"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_weights_csv_with_cost_and_accounts(tmp_path):
    p = _write(tmp_path, "p.csv", "Ticker,Weight,Cost,Account\nqqq,0.4,350.5,ira\n"
               "brk.b,12.5%,,taxable\nQQQ,0.1,,taxable\n\n")
    f = read_holdings(p)
    assert f["ticker"].tolist() == ["QQQ", "BRK-B", "QQQ"]
    assert f["weight"].tolist() == pytest.approx([0.4, 0.125, 0.1])
    assert f["account"].tolist() == ["ira", "taxable", "taxable"]
    assert f["cost"].iloc[0] == 350.5 and np.isnan(f["cost"].iloc[1])
    assert f["line"].tolist() == [2, 3, 4]
    assert f.attrs["kind"] == "weight"


def test_shares_yaml(tmp_path):
    p = _write(tmp_path, "p.yaml", "name: mine\nholdings:\n  - {ticker: QQQ, shares: 10}\n"
               "  - ticker: 'ON'\n    shares: 5\n    account: ira\n"
               "  - {ticker: CASH, shares: 100}\n")
    f = read_holdings(p)
    assert f["ticker"].tolist() == ["QQQ", "ON", "CASH"]     # ON stays a ticker, not True
    assert f["shares"].tolist() == [10.0, 5.0, 100.0]
    assert f["line"].tolist() == [3, 4, 7]
    assert f.attrs["name"] == "mine" and f.attrs["kind"] == "shares"


@pytest.mark.parametrize(("text", "line", "match"), [
    ("ticker,weight\nQQQ,abc\n", 2, "field weight: 'abc' is not a number"),
    ("ticker,weight\nQQQ,0.2\n,0.1\n", 3, "field ticker: empty"),
    ("ticker,weight\nQQQ,0.2\nSPY\n", 3, "expected 2 fields"),
    ("ticker,weight,shares\nQQQ,0.2,3\n", 2, "give one of them"),
    ("ticker,weight\nQQQ,0.2\nqqq,0.1\n", 3, "QQQ already on line 2"),
    ("ticker,price\nQQQ,0.2\n", 1, "unknown column"),
    ("ticker,shares\nQQQ,-3\n", 2, "field shares: '-3' is negative"),
    ("ticker,weight\n", 2, "no holdings"),
    ("ticker,weight\nQQQ,\n", 2, "field weight"),
])
def test_bad_csv_names_file_line_field(tmp_path, text, line, match):
    p = _write(tmp_path, "bad.csv", text)
    with pytest.raises(FileFormatError, match=match) as err:
        read_holdings(p)
    assert err.value.line == line
    assert err.value.path == str(p)
    assert str(err.value).startswith(f"{p}:{line}: ")


def test_bad_yaml_names_line(tmp_path):
    p = _write(tmp_path, "bad.yaml", "holdings:\n  - {ticker: QQQ, weight: 0.5}\n"
               "  - {ticker: SPY, wieght: 0.2}\n")
    with pytest.raises(FileFormatError, match="unknown field 'wieght'") as err:
        read_holdings(p)
    assert err.value.line == 3
    p = _write(tmp_path, "bad2.yaml", "holdings:\n  - {ticker: QQQ, weight: x}\n")
    with pytest.raises(FileFormatError, match="field weight: 'x'") as err:
        read_holdings(p)
    assert err.value.line == 2
    p = _write(tmp_path, "bad3.yaml", "holdings: [a: b: c]\n")
    with pytest.raises(FileFormatError, match="invalid YAML"):
        read_holdings(p)


def test_ishares_layout():
    f = read_fund_holdings(FIX / "IVV_holdings.csv")
    assert f.layout == "ishares" and f.as_of == pd.Timestamp("2026-07-14")
    r = f.rows.set_index("ticker")
    assert r.at["NVDA", "weight"] == pytest.approx(0.075)
    assert r.at["NVDA", "market_value"] == pytest.approx(52_101_334_567.12)
    assert "BRK-B" in r.index                      # iShares writes BRKB
    assert r.at["USD", "asset_class"] == "Cash" and r.at["ESU6", "asset_class"] == "Futures"
    assert len(f.rows) == 13                      # the disclaimer is not a row
    assert f.rows["line"].iloc[0] == 11


def test_spdr_layout():
    f = read_fund_holdings(FIX / "SPY_holdings.csv", fund="SPY")
    assert f.layout == "spdr" and f.fund == "SPY" and f.as_of == pd.Timestamp("2026-07-14")
    r = f.rows.set_index("ticker")
    assert r.at["BRK-B", "weight"] == pytest.approx(0.01612277)
    assert r.at["GOOG", "shares"] == 59886003.0
    assert f.rows.iloc[-1]["ticker"] == "" and pd.isna(f.rows.iloc[-1]["sector"])
    assert len(f.rows) == 11


def test_invesco_layout():
    f = read_fund_holdings(FIX / "QQQ_holdings.csv")
    assert f.layout == "invesco" and f.fund == "QQQ" and f.as_of == pd.Timestamp("2026-07-14")
    assert f.rows["ticker"].iloc[0] == "NVDA"       # padded with spaces in the file
    assert f.weight_sum == pytest.approx(0.5169)
    with pytest.raises(FileFormatError, match="Fund Ticker: QQQ but importing for SPY"):
        read_fund_holdings(FIX / "QQQ_holdings.csv", fund="SPY")


def test_issuer_errors(tmp_path):
    p = _write(tmp_path, "x.csv", "a,b,c\n1,2,3\n")
    with pytest.raises(FileFormatError, match="no iShares"):
        read_fund_holdings(p)
    text = (FIX / "QQQ_holdings.csv").read_text().replace(",9.55,", ",n/a,")
    p = _write(tmp_path, "q.csv", text)
    with pytest.raises(FileFormatError, match="field Weight: 'n/a'") as err:
        read_fund_holdings(p)
    assert err.value.line == 2
    text = (FIX / "QQQ_holdings.csv").read_text().replace("2.20,Netflix Inc,Common Stock,"
                                                          "Communication Services,07/14/2026",
                                                          "2.20,Netflix Inc,Common Stock,"
                                                          "Communication Services,07/15/2026")
    p = _write(tmp_path, "q2.csv", text)
    with pytest.raises(FileFormatError, match="different dates"):
        read_fund_holdings(p)


def test_import_and_point_in_time(tmp_path):
    with Store(tmp_path / "s.duckdb") as store:
        a = import_fund_holdings(store, FIX / "QQQ_holdings.csv", "QQQ")
        import_fund_holdings(store, FIX / "IVV_holdings.csv", "ivv", as_of="2025-01-02")
        import_fund_holdings(store, FIX / "IVV_holdings.csv", "IVV")
        import_fund_holdings(store, FIX / "IVV_holdings.csv", "IVV")   # same again: replaced
        assert a.as_of == pd.Timestamp("2026-07-14")
        listed = list_fund_holdings(store)
        assert listed[["fund", "rows"]].values.tolist() == [["IVV", 13], ["IVV", 13],
                                                            ["QQQ", 11]]
        now = stored_fund_holdings(store, ["QQQ", "IVV"])
        assert now["IVV"].attrs["as_of"] == pd.Timestamp("2026-07-14")
        then = stored_fund_holdings(store, as_of="2025-06-30")
        assert set(then) == {"IVV"} and then["IVV"].attrs["as_of"] == pd.Timestamp("2025-01-02")
        assert stored_fund_holdings(store, as_of="2024-12-31") == {}
        np.testing.assert_allclose(now["QQQ"]["weight"].sum(), 0.5169)
        with pytest.raises(FileFormatError, match="the file is for SPY"):
            import_fund_holdings(store, FIX / "SPY_holdings.csv", "IVV")
        assert len(list_fund_holdings(store)) == 3   # nothing written by the failed import
