"""The point-in-time market view: default as-of date, nothing after the date, one loader."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rotascope.analysis.breadth import breadth_report
from rotascope.data.store import Store
from rotascope.errors import ParameterError, UnknownTickerError
from rotascope.market_view import MarketView, default_as_of


def _frame(rows: int = 40, cols: int = 4, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2024-01-01", periods=rows, name="date")
    data = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, (rows, cols)), axis=0))
    return pd.DataFrame(data, index=idx, columns=[f"T{i}" for i in range(cols)])


# -- default as-of date ------------------------------------------------------------------

def test_default_as_of_is_the_last_well_covered_session() -> None:
    idx = pd.to_datetime(["2026-07-09", "2026-07-10", "2026-07-13", "2026-07-14"])
    counts = pd.Series([100, 100, 99, 60], index=idx)
    day, note = default_as_of(counts, 100)
    assert day == pd.Timestamp("2026-07-13")
    assert "2026-07-14" in note and "95%" in note and "60" in note


def test_default_as_of_is_the_last_date_when_it_is_covered() -> None:
    idx = pd.to_datetime(["2026-07-13", "2026-07-14"])
    assert default_as_of(pd.Series([10, 10], index=idx), 10) == (pd.Timestamp("2026-07-14"),
                                                                 None)


def test_default_as_of_falls_back_to_the_best_covered_date() -> None:
    idx = pd.to_datetime(["2026-07-13", "2026-07-14"])
    day, note = default_as_of(pd.Series([5, 3], index=idx), 10)
    assert day == pd.Timestamp("2026-07-13") and "best covered" in note


def test_real_data_default_date_counts_the_whole_index(loaded_store) -> None:
    """The reference data ends on two days; breadth must not count a third as missing."""
    with Store(loaded_store.store_path, read_only=True) as store:
        market = MarketView.open(store, loaded_store, needs_universes=("sp500",))
        assert market.as_of == pd.Timestamp("2026-07-13")
        assert market.as_of_note and "2026-07-14" in market.as_of_note
        rep = breadth_report(market, "sp500")
        # independently: members with a close on that day, from the store
        close = store.close_matrix(market.members("sp500", on="2026-07-13"),
                                   strict=False, end="2026-07-13")
    assert rep.as_of == pd.Timestamp("2026-07-13")
    with_close = int(close.iloc[-1].notna().sum())
    assert with_close >= 495
    # counted for the 50-day average: a close that day and at least 50 closes
    assert rep.counted["50"] == int(((close.notna().sum() >= 50) & close.iloc[-1].notna()).sum())
    assert rep.missing_close == 0


def test_cli_says_which_date_it_used(loaded_store) -> None:
    from rotascope.outputs.cli.main import cli

    res = CliRunner().invoke(cli, ["--home", str(loaded_store.home), "breadth", "--json"])
    assert res.exit_code == 0, res.output
    assert "note: as of 2026-07-13, the last session" in res.stderr
    res = CliRunner().invoke(cli, ["--home", str(loaded_store.home), "ratio", "RSP", "SPY",
                                   "--json"])
    assert res.exit_code == 0 and "note:" not in res.stderr  # both end 2026-07-14


# -- nothing after the date --------------------------------------------------------------

def test_close_never_returns_rows_after_as_of(loaded_store) -> None:
    with Store(loaded_store.store_path, read_only=True) as store:
        m = MarketView.open(store, loaded_store, as_of="2025-04-08")
        c = m.close(["SPY", "AAPL"])
        assert c.index[-1] == pd.Timestamp("2025-04-08")
        expected = store.close_matrix(["SPY", "AAPL"], end="2025-04-08")
        pd.testing.assert_frame_equal(c, expected, check_names=False)
        earlier = m.at("2024-06-28")
        assert earlier.close(["SPY"]).index[-1] == pd.Timestamp("2024-06-28")
        later = m.at("2026-01-02")  # later than the cache: reads the store again
        assert later.close(["SPY"]).index[-1] == pd.Timestamp("2026-01-02")
        with pytest.raises(UnknownTickerError, match="NOPE"):
            m.close(["SPY", "NOPE"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cut=st.integers(min_value=1, max_value=39), seed=st.integers(0, 10))
def test_a_view_as_of_d_equals_a_view_of_data_cut_at_d(cut: int, seed: int) -> None:
    frame = _frame(seed=seed)
    frame.iloc[5:9, 1] = np.nan  # a gap
    day = frame.index[cut]
    full = MarketView.from_frame(frame, as_of=day, universes={"u": ["T0", "T1", "T2"]})
    cutv = MarketView.from_frame(frame.loc[:day], as_of=day,
                                 universes={"u": ["T0", "T1", "T2"]})
    pd.testing.assert_frame_equal(full.close(), cutv.close())
    pd.testing.assert_frame_equal(full.membership("u"), cutv.membership("u"))
    # and a view's data never depends on what follows its date
    assert full.close().index[-1] <= day


def test_frame_view_universes_lists_and_masks() -> None:
    frame = _frame()
    mask = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    mask.loc[frame.index[10]:, "T3"] = True
    mask.loc[:, "T0"] = True
    m = MarketView.from_frame(frame, universes={"u": mask, "fixed": ["T1"]})
    assert m.as_of == frame.index[-1] and m.as_of_note is None
    assert m.members("u") == ["T0", "T3"]
    assert m.members("u", on=frame.index[5]) == ["T0"]
    assert m.ever_members("u") == ["T0", "T3"]
    assert m.at(frame.index[5]).ever_members("u") == ["T0"]
    got = m.membership("u", tickers=["T0", "T3"])
    pd.testing.assert_frame_equal(got, mask[["T0", "T3"]], check_names=False)
    assert m.membership("fixed", tickers=["T0", "T1"]).all().tolist() == [False, True]
    assert m.has_universe("u") and not m.has_universe("nope")


def test_bad_dates_and_frames_are_parameter_errors() -> None:
    with pytest.raises(ParameterError, match="as_of"):
        MarketView.from_frame(_frame(), as_of="not a date")
    with pytest.raises(ParameterError, match="DatetimeIndex"):
        MarketView.from_frame(pd.DataFrame({"a": [1.0]}))


def test_public_entry_point(loaded_store) -> None:
    import rotascope

    m = rotascope.market(as_of="2025-04-08", home=loaded_store.home)
    spy = m.close(["SPY"])["SPY"]
    assert rotascope.sma(spy, 50).iloc[-1] == pytest.approx(spy.iloc[-50:].mean(), rel=1e-12)
    assert rotascope.regime(m).as_of == pd.Timestamp("2025-04-08")
    assert rotascope.breadth(m, "sp500").as_of == pd.Timestamp("2025-04-08")


def test_sessions_come_from_the_nyse_calendar(loaded_store) -> None:
    """2025-01-09 (national day of mourning) is no session; the store's SPY agrees."""
    with Store(loaded_store.store_path, read_only=True) as store:
        m = MarketView.open(store, loaded_store, as_of="2025-01-10")
        got = m.sessions(start="2025-01-02")
        spy = m.close(["SPY"], start="2025-01-02").index
    assert pd.Timestamp("2025-01-09") not in got
    assert list(got) == list(spy)
