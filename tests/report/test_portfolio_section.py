"""The optional "your portfolio" section: every figure recomputed, every number a figure."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from click.testing import CliRunner

from rotascope.data.holdings import read_holdings

from .test_rederive import _check_all


@pytest.fixture(scope="module")
def portfolio_note(loaded_store, note_builder, tmp_path_factory):
    folder = tmp_path_factory.mktemp("pf")
    path = folder / "holdings.csv"
    path.write_text("ticker,weight\nQQQ,0.4\nMAGS,0.2\nRSP,0.3\n", encoding="utf-8")
    model, note = note_builder(loaded_store, folder / "note", "2026-02-06", previous=None,
                               portfolio=read_holdings(path))
    return model, note, path


def test_the_section_is_there_and_every_figure_rederives(portfolio_note, loaded_store):
    _, note, _ = portfolio_note
    ids = [s["id"] for s in note["sections"]]
    assert ids.index("portfolio") == ids.index("disclaimer") - 1
    figs = [f for f in note["figures"] if f["kind"] == "portfolio_metric"]
    assert {f["id"] for f in figs} >= {"portfolio.annual_return", "portfolio.beta",
                                       "portfolio.benchmark_annual_return",
                                       "portfolio.max_drawdown", "portfolio.mag7_look_through"}
    assert next(f for f in figs if f["id"] == "portfolio.mag7_look_through")["value"] == 0.2
    assert "portfolio_metric" in _check_all(loaded_store.store_path, note)


def test_every_number_in_the_section_is_a_figure(portfolio_note):
    model, note, _ = portfolio_note
    displays = {f["display"] for f in note["figures"]}
    sec = next(s for s in note["sections"] if s["id"] == "portfolio")
    text = sec["blocks"][0]["text"]
    for number in re.findall(r"[+-]?\d[\d,.]*\d%?|[+-]?\d%?", text):
        assert any(number in d for d in displays), number


def test_cli_report_takes_a_portfolio(loaded_store, tmp_path, portfolio_note):
    from rotascope.outputs.cli.main import cli

    _, _, path = portfolio_note
    res = CliRunner().invoke(cli, ["--home", str(loaded_store.home), "report", "--as-of",
                                   "2026-02-06", "--portfolio", str(path), "--out",
                                   str(tmp_path / "n"), "--no-history", "--json"])
    assert res.exit_code == 0, res.output
    assert "Your portfolio" in (tmp_path / "n" / "note.md").read_text(encoding="utf-8")
    assert pd.Timestamp("2026-02-06") >= pd.Timestamp(
        __import__("json").loads(res.stdout)["as_of"])
