"""A misspelled command: exit 2 (usage) with difflib's closest command names."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from rotascope.errors import EXIT_USAGE
from rotascope.outputs.cli.main import cli


@pytest.mark.parametrize(("typed", "meant"), [("rgime", "regime"), ("dat", "data"),
                                              ("repotr", "report"), ("alert", "alerts")])
def test_misspelled_top_level_command_suggests(tmp_path, typed: str, meant: str) -> None:
    r = CliRunner().invoke(cli, ["--home", str(tmp_path), typed])
    assert r.exit_code == EXIT_USAGE == 2
    assert f"No such command {typed!r}" in r.stderr
    assert f"Did you mean {meant!r}" in r.stderr


def test_misspelled_subcommand_suggests(tmp_path) -> None:
    r = CliRunner().invoke(cli, ["--home", str(tmp_path), "data", "improt", "x"])
    assert r.exit_code == 2
    assert "Did you mean 'import'" in r.stderr


def test_misspelled_lazy_subcommand_suggests(tmp_path) -> None:
    r = CliRunner().invoke(cli, ["--home", str(tmp_path), "data", "updte"])
    assert r.exit_code == 2 and "Did you mean 'update'" in r.stderr


def test_nothing_close_points_to_help(tmp_path) -> None:
    r = CliRunner().invoke(cli, ["--home", str(tmp_path), "zzzzqq"])
    assert r.exit_code == 2
    assert "Did you mean" not in r.stderr and "rotascope --help" in r.stderr


def test_real_commands_still_resolve(tmp_path) -> None:
    r = CliRunner().invoke(cli, ["--home", str(tmp_path), "regime", "--help"])
    assert r.exit_code == 0 and "regime" in r.stdout
