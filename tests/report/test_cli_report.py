"""`rotascope report`: the offline demo on a fresh home, an empty store, --json, history."""

from __future__ import annotations

import json
import socket

import pytest
from click.testing import CliRunner

from rotascope.data.store import Store
from rotascope.errors import EXIT_DATA
from rotascope.outputs.cli.main import cli
from rotascope.outputs.report.demo import (
    DEMO_SPEC,
    demo_settings,
    ensure_demo_store,
    generator_fingerprint,
)
from rotascope.outputs.report.history import list_notes


def run(home, *args):
    return CliRunner().invoke(cli, ["--home", str(home), *args])


@pytest.fixture()
def no_network(monkeypatch):
    """Any attempt to open a network connection fails the test."""
    def refuse(*a, **k):
        raise AssertionError(f"network access attempted: {a[1:] if len(a) > 1 else a}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.slow
def test_demo_on_a_fresh_home_offline(tmp_path, no_network) -> None:
    home = tmp_path / "fresh"
    out = tmp_path / "note"
    r = run(home, "report", "--demo", "--out", str(out))
    assert r.exit_code == 0, r.output
    assert "building the synthetic demo market" in r.stderr
    assert "SYNTHETIC DATA" in r.stdout
    note = json.loads((out / "note.json").read_text(encoding="utf-8"))
    assert note["synthetic"] is True and note["source"]["demo"] is True
    assert note["regime"]["verdict"] and note["figures"]
    for name in ("note.md", "note.html"):
        text = (out / name).read_text(encoding="utf-8")
        assert text.count("SYNTHETIC DATA") >= 3, name
    for chart in note["charts"]:
        assert (out / chart["file"]).stat().st_size > 10_000
    # the demo has its own store; the user's store is never created
    assert (home / "demo" / "store.duckdb").exists()
    assert not (home / "store.duckdb").exists()
    # second run reuses the demo store (no rebuild) and records a second note
    again = run(home, "report", "--demo", "--out", str(tmp_path / "again"))
    assert again.exit_code == 0, again.output
    assert "building" not in again.stderr
    with Store(home / "demo" / "store.duckdb", read_only=True) as store:
        assert len(list_notes(store)) == 1            # same date: replaced, not added


def test_demo_store_rebuilt_when_the_generator_spec_changes(tmp_path) -> None:
    from rotascope.config import Settings

    settings = Settings(home=tmp_path)
    small = {"tickers": 40, "days": 400, "seed": 3}
    log: list[str] = []
    demo = ensure_demo_store(settings, spec=small, log=log.append)
    assert demo.home == demo_settings(settings).home and len(log) == 1
    ensure_demo_store(settings, spec=small, log=log.append)
    assert len(log) == 1                               # reused
    other = {**small, "seed": 4}
    assert generator_fingerprint(other) != generator_fingerprint(small)
    ensure_demo_store(settings, spec=other, log=log.append)
    assert len(log) == 2                               # rebuilt
    with Store(demo.store_path, read_only=True) as store:
        assert store.universe_info("sp500")["point_in_time"]
        assert store.instruments().loc["SPY", "source"] == "synthetic"
    assert DEMO_SPEC["tickers"] >= 500


def test_empty_store_says_how_to_load_data(tmp_path) -> None:
    r = run(tmp_path / "empty", "report", "--out", str(tmp_path / "x"))
    assert r.exit_code == EXIT_DATA == 3
    assert "rotascope data import" in r.stderr and "rotascope report --demo" in r.stderr
    assert not (tmp_path / "x").exists()


def test_json_output_and_no_history(syn_home_copy, tmp_path) -> None:
    out = tmp_path / "n"
    r = run(syn_home_copy.home, "report", "--as-of", "2007-06-29", "--out", str(out),
            "--json", "--no-history")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc == json.loads((out / "note.json").read_text(encoding="utf-8"))
    assert doc["as_of"] == "2007-06-29" and doc["synthetic"] is True
    with Store(syn_home_copy.store_path, read_only=True) as store:
        assert list_notes(store).empty


def test_default_output_folder(syn_home_copy, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    r = run(syn_home_copy.home, "report", "--as-of", "2007-06-30", "--no-history")
    assert r.exit_code == 0, r.output
    # 2007-06-30 is a Saturday: the note is dated on the last trading day before it
    folder = syn_home_copy.home / "reports" / "rotascope-report-2007-06-29"
    assert not list(tmp_path.glob("rotascope-report-*"))   # nothing in the current folder
    assert str(folder) in " ".join(r.stdout.split())        # and it says where
    assert {p.name for p in folder.iterdir()} >= {"note.html", "note.md", "note.json",
                                                  "index.png", "rrg.png"}
    doc = json.loads((folder / "note.json").read_text(encoding="utf-8"))
    assert doc["requested_as_of"] == "2007-06-30" and doc["as_of"] == "2007-06-29"
