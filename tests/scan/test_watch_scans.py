"""`rotascope watch --scans`: each cycle runs the named scans after the update step."""

from __future__ import annotations

from click.testing import CliRunner

from rotascope.data.store import Store
from rotascope.outputs.cli.main import cli
from rotascope.outputs.cli.watch import _then_scans


def test_cycle_step_runs_the_scans_and_reports_new_members(loaded_store, tmp_path) -> None:
    f = tmp_path / "scans.yaml"
    f.write_text("scans:\n  - name: up\n    condition: close($) crosses_above sma($, 20)\n")
    lines: list[str] = []
    step = _then_scans(False, str(f), loaded_store, lines.append)
    with Store(loaded_store.store_path, read_only=True) as store:
        done = step(store)
    assert done.summary() == "skipped"
    assert len(lines) == 1 and lines[0].startswith("scan up as of ")
    assert " match (" in lines[0] and "new today: " in lines[0]


def test_a_malformed_scans_file_stops_watch_before_looping(loaded_store, tmp_path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - id: spy\n    condition: close(SPY) > 1\n")
    f = tmp_path / "scans.yaml"
    f.write_text("scans:\n  - name: bad\n    condition: close($) > smaa($, 2)\n")
    r = CliRunner().invoke(cli, ["--home", str(loaded_store.home), "watch", "--no-update",
                                 "--scans", str(f), str(rules)])
    assert r.exit_code == 6 and "unknown function 'smaa'" in r.output
