"""`rotascope data update --source NAME` with a source plugin installed through the
``rotascope.sources`` entry points (a tiny dist-info on sys.path, as pip would install)."""

from __future__ import annotations

import json
import sys

import pandas as pd
import pytest
from click.testing import CliRunner

from rotascope.data.store import Store
from rotascope.data.updater import check_update_source, update_sources
from rotascope.errors import EXIT_USAGE, ParameterError
from rotascope.outputs.cli.main import cli

# The plugin: serves closes for AAA and BBB from a CSV text per ticker that the test
# writes into the module (PRICES), cut to the requested start; counts its queries.
PLUGIN = '''
import hashlib
import io

import pandas as pd

from rotascope.data.model import SeriesData
from rotascope.data.sources.base import Query, RawPayload, Source
from rotascope.errors import SourceError

PRICES = {}     # ticker -> CSV text "Date,Close" (set by the test)
QUERIES = []


class FakeSource(Source):
    name = "fake"
    updates_prices = True

    def build_query(self, *, tickers, start=None, end=None):
        QUERIES.append((tuple(tickers), start))
        return Query(self.name, {"tickers": list(tickers), "start": start})

    def fetch(self, query):
        for t in query.params["tickers"]:
            if t not in PRICES:
                raise SourceError(f"fake: no such ticker {t}")
            yield RawPayload(f"fake://{t}", PRICES[t].encode(), key=t)

    def to_frame(self, query, raw):
        df = pd.read_csv(io.BytesIO(raw.content), parse_dates=["Date"])
        start = query.params["start"]
        if start is not None:
            df = df[df["Date"] >= start]
        frame = pd.DataFrame({"close": df["Close"].to_numpy(float)},
                             index=pd.DatetimeIndex(df["Date"], name="date"))
        return [SeriesData(raw.key, frame, self.name, raw.location,
                           hashlib.sha256(raw.content).hexdigest(), adjusted=True)]


class FileReader(Source):
    name = "filereader"
    updates_prices = False

    def build_query(self, **params):
        return Query(self.name, params)

    def fetch(self, query):
        return iter(())

    def to_frame(self, query, raw):
        return []
'''

DAYS = pd.bdate_range("2024-01-02", periods=30)


def csv_text(closes) -> str:
    return "Date,Close\n" + "".join(f"{d:%Y-%m-%d},{c!r}\n" for d, c in zip(DAYS, closes,
                                                                          strict=False))


@pytest.fixture()
def fake_source(tmp_path, monkeypatch):
    root = tmp_path / "site"
    info = root / "rotascope_fake_source-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: rotascope-fake-source\n"
                                   "Version: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[rotascope.sources]\nfake = rotascope_fake_source:FakeSource\n"
        "filereader = rotascope_fake_source:FileReader\n")
    (root / "rotascope_fake_source.py").write_text(PLUGIN)
    monkeypatch.syspath_prepend(str(root))
    import rotascope_fake_source as module

    yield module
    sys.modules.pop("rotascope_fake_source", None)


def test_update_sources_lists_installed_plugins(fake_source):
    names = update_sources()
    assert {"fake", "yahoo", "stooq", "fred"} <= set(names)
    assert not {"csv", "parquet", "wikipedia-sp500", "filereader"} & set(names)
    assert check_update_source("fake") == "fake"
    with pytest.raises(ParameterError, match="unknown source 'fak'; did you mean fake"):
        check_update_source("fak")
    with pytest.raises(ParameterError, match="'filereader' is installed but does not fetch "
                                             "prices by ticker"):
        check_update_source("filereader")


def test_data_update_with_a_plugin_source_end_to_end(fake_source, tmp_path):
    a = [100.0 + i for i in range(30)]
    b = [50.0 - 0.5 * i for i in range(30)]
    fake_source.PRICES.update({"AAA": csv_text(a[:20]), "BBB": csv_text(b[:20])})
    home = tmp_path / "home"
    runner = CliRunner()
    args = ["--home", str(home), "data", "update", "--tickers", "AAA,BBB", "--source",
            "fake", "--json"]
    r = runner.invoke(cli, args)
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["source"] == "fake"
    assert [(t["ticker"], t["source"], t["status"], t["rows_added"])
            for t in out["tickers"]] == [("AAA", "fake", "new", 20), ("BBB", "fake", "new", 20)]
    # the provider publishes 10 more days: only those are appended (5-row overlap checked)
    fake_source.PRICES.update({"AAA": csv_text(a), "BBB": csv_text(b)})
    fake_source.QUERIES.clear()
    r = runner.invoke(cli, ["--home", str(home), "data", "update", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert [(t["source"], t["status"], t["rows_added"]) for t in out["tickers"]] == [
        ("fake", "updated", 10), ("fake", "updated", 10)]       # the plugin continues them
    assert [(("AAA",), DAYS[15]), (("BBB",), DAYS[15])] == fake_source.QUERIES
    with Store(home / "store.duckdb", read_only=True) as store:
        close = store.close_matrix(["AAA", "BBB"])
    assert close.index.equals(pd.DatetimeIndex(DAYS, name="date"))
    assert close["AAA"].tolist() == a and close["BBB"].tolist() == b


def test_a_plugin_failure_is_reported_per_ticker(fake_source, tmp_path):
    fake_source.PRICES["AAA"] = csv_text([1.0, 2.0, 3.0])
    r = CliRunner().invoke(cli, ["--home", str(tmp_path / "home"), "data", "update",
                                 "--tickers", "AAA,ZZZ", "--source", "fake", "--json"])
    out = json.loads(r.output)
    assert r.exit_code == 3
    assert [t["status"] for t in out["tickers"]] == ["new", "failed"]
    assert out["tickers"][1]["error"] == "fake: no such ticker ZZZ"


def test_unknown_source_lists_the_installed_ones(fake_source, tmp_path):
    r = CliRunner().invoke(cli, ["--home", str(tmp_path / "home"), "data", "update",
                                 "--tickers", "AAA", "--source", "yahooo"])
    assert r.exit_code == EXIT_USAGE
    assert "data update --source: unknown source 'yahooo'; did you mean yahoo?" in r.output
    assert "sources that can update prices: fake, fred, stooq, yahoo" in r.output
