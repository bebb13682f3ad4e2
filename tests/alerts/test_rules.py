"""Rules files: validation, and errors that point at file:line:column; nothing runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from rotascope.data.store import Store
from rotascope.errors import EXIT_RULES, RuleError
from rotascope.outputs.alerts.rules import RulesFileError, load_rules, parse_rules
from rotascope.outputs.cli.main import cli

from .conftest import write_rules


def at(path: Path, fragment: str, nth: int = 0) -> str:
    """``line:column`` (1-based) of the nth occurrence of ``fragment`` in the file."""
    text = path.read_text()
    i = -1
    for _ in range(nth + 1):
        i = text.index(fragment, i + 1)
    line = text.count("\n", 0, i) + 1
    return f"{line}:{i - (text.rfind(chr(10), 0, i) + 1) + 1}"


def problems(path: Path, **kw) -> list[str]:
    with pytest.raises(RulesFileError) as info:
        load_rules(path, **kw)
    assert isinstance(info.value, RuleError)  # exit code 6 in the CLI
    return [f"{p.location.line}:{p.location.column} {p.message}" for p in info.value.problems]


def test_a_valid_file_loads_with_defaults(tmp_path):
    path = write_rules(tmp_path / "r.yaml", """
        namespace: demo
        channels:
          file: {type: jsonl, path: out/alerts.jsonl}
        defaults: {severity: warning, channels: [console, file]}
        rules:
          - id: ibit-crash
            description: bitcoin ETF down 20% in two weeks
            condition: worst_decline(IBIT, 10) <= -20%
          - id: spy-range
            severity: critical
            channels: [file]
            condition: close(SPY) < range(SPY).floor
        """)
    rs = load_rules(path)
    assert rs.namespace == "demo"
    a, b = rs.rules
    assert (a.id, a.severity, a.channels) == ("ibit-crash", "warning", ("console", "file"))
    assert a.description == "bitcoin ETF down 20% in two weeks"
    assert (b.severity, b.channels, b.description) == ("critical", ("file",),
                                                       "close(SPY) < range(SPY).floor")
    assert rs.tickers() == ["IBIT", "SPY"]
    # a relative jsonl path is relative to the rules file
    assert rs.channels["file"].options["path"] == str(tmp_path / "out" / "alerts.jsonl")
    assert rs.channels["console"].type == "console"
    # the condition's identity ignores spacing
    again = parse_rules("rules:\n  - id: x\n    condition: worst_decline( IBIT,10 )<=-20%\n")
    assert again.rules[0].condition_hash == a.condition_hash


def test_condition_errors_point_at_the_token_in_the_file(tmp_path):
    path = write_rules(tmp_path / "r.yaml", """
        rules:
          - id: a
            condition: ratoi(MAGS, SPY).lowest_in_months >= 4
          - id: b
            condition: >
              close(SPY) <
                range(SPY).flor
          - id: c
            condition: "rsi_divergence(SPY) == \\"bearsh\\""
          - id: d
            condition: |
              worst_decline(IBIT, 10) <= -20% and
              perf(SPY, 3q) > 0
          - id: e
            condition: close(SPY) >
          - id: f
            condition: close(SPY) + 1
        """)
    got = problems(path)
    assert got[0].startswith("3:16 rule 'a': unknown function 'ratoi'; did you mean ratio?")
    assert got[1].startswith("7:20 rule 'b': range(SPY) has no field .flor")
    assert "did you mean floor" in got[1]
    assert got[2].startswith("9:41 rule 'c': 'bearsh' is never a value here")
    assert "'bearish', 'bullish', 'none'" in got[2]
    # block scalar, second line: "3q" is not a window -> the parser stops at "q"
    assert got[3].startswith("13:18 rule 'd': syntax: unexpected 'q'")
    assert got[4].startswith("15:28 rule 'e': syntax: the condition ends too early")
    assert got[5].startswith("17:16 rule 'f': a condition must be true or false")
    assert len(got) == 6


def test_the_message_shows_the_line_and_a_caret(tmp_path):
    path = write_rules(tmp_path / "r.yaml", """
        rules:
          - id: a
            condition: ratio(MAGS, SPY).lowest_in_month >= 4
        """)
    with pytest.raises(RulesFileError) as info:
        load_rules(path)
    text = str(info.value)
    assert f"{path}:3:33: rule 'a': ratio(MAGS, SPY) has no field .lowest_in_month" in text
    lines = text.splitlines()
    i = next(k for k, line in enumerate(lines) if line.strip().startswith("condition:"))
    caret = lines[i + 1]
    assert caret.index("^") == lines[i].index("lowest_in_month")
    assert caret.count("^") == len("lowest_in_month")
    assert "no rule was evaluated" in lines[0]


def test_structure_errors(tmp_path):
    path = write_rules(tmp_path / "r.yaml", """
        version: 2
        chanels: {}
        channels:
          hook:
            type: webhook
            url: https://user:pw@example.org/x
            secret_env: 9BAD
            password: hunter2
          mail: {type: smtp}
        rules:
          - id: a b
            condition: close(SPY) > 1
          - id: c
            severity: loud
            channels: [hok]
            condition: close(SPY) > 1
            when: always
          - description: no id, no condition
          - id: c
            condition: close(SPY) > 2
        """)
    got = problems(path)
    expected = [
        ("1:10", "version must be 1"),
        ("2:1", "unknown key 'chanels'"),
        (("https://user", 0), "credentials in the URL"),
        (("9BAD", 0), "must be the *name* of an environment variable"),
        (("password", 0), "'password' looks like a secret"),
        (("smtp", 0), "unknown type 'smtp'"),
        (("a b", 0), "id 'a b': use letters"),
        (("loud", 0), "severity must be one of info, warning, critical, got 'loud'"),
        (("hok", 0), "unknown channel 'hok'"),
        (("when", 0), "unknown key 'when'"),
        (("description: no id", 0), "a rule needs an 'id'"),
        (("description: no id", 0), "needs a 'condition'"),
        (("c\n", 1), "rule id 'c' is used twice (first at"),
    ]
    for (where, fragment) in expected:
        where = at(path, where[0], where[1]) if isinstance(where, tuple) else where
        assert any(g.startswith(where + " ") and fragment in g for g in got), \
            (where, fragment, got)
    assert "hunter2" not in "\n".join(got)


def test_yaml_syntax_and_unsafe_tags_are_rejected(tmp_path):
    bad = write_rules(tmp_path / "bad.yaml", """
        rules:
          - id: a
            condition: close(SPY) > 1
           - id: b
        """)
    (got,) = problems(bad)
    assert got.startswith(at(bad, "- id: b") + " YAML syntax")
    unsafe = write_rules(tmp_path / "unsafe.yaml", """
        rules:
          - id: !!python/object/apply:os.system ["echo pwned"]
            condition: close(SPY) > 1
        """)
    got = problems(unsafe)
    assert any(g.startswith(at(unsafe, "!!python") + " ") and "YAML tag" in g
               and "not allowed" in g for g in got), got


def test_unknown_tickers_and_universes_are_named_against_the_store(tmp_path, real_store):
    path = write_rules(tmp_path / "r.yaml", """
        rules:
          - id: a
            condition: close(SPY) > close(SPYY) and perf(ZZZZ, 1m) > 0 and close(spy) > 0
          - id: b
            condition: drawdown(rsp) < -10% and lowest_in_months(IBIT) >= 1
        """)
    with Store(real_store, read_only=True) as store:
        got = problems(path, store=store)
        assert got == [
            f"{at(path, 'SPYY')} rule 'a': unknown ticker SPYY: the store has no prices for "
            "it; did you mean SPY?",
            f"{at(path, 'ZZZZ')} rule 'a': unknown ticker ZZZZ: the store has no prices for it",
        ]
        ok = write_rules(tmp_path / "ok.yaml", """
            rules:
              - id: b
                condition: drawdown(rsp) < -10% and lowest_in_months(IBIT) >= 1
            """)
        assert load_rules(ok, store=store).tickers() == ["IBIT", "RSP"]


def test_type_errors(tmp_path):
    path = write_rules(tmp_path / "r.yaml", """
        rules:
          - id: a
            condition: rsi_divergence(SPY) > 1
          - id: b
            condition: close(SPY) == "high"
          - id: c
            condition: range(SPY) > 1
          - id: d
            condition: close(SPY) and true
          - id: e
            condition: 1 > 0
          - id: f
            condition: sma(SPY, 2.5) > 0 or worst_decline(IBIT, window=0) < 0
          - id: g
            condition: perf(SPY) > 0 or close(SPY, QQQ) > 0 or sma(SPY, 5, wnd=3) > 1
          - id: h
            condition: SPY > 400
        """)
    got = problems(path)
    text = "\n".join(got)
    assert f"{at(path, 'rsi_div')} rule 'a': '>' compares numbers, got text" in text
    assert f"{at(path, '==')} rule 'b': '==' compares a number with text" in text
    assert (f"{at(path, 'range(SPY)')} rule 'c': range(SPY) has no value of its own; "
            "pick a field: .floor") in text
    assert f"{at(path, 'close(SPY) and')} rule 'd': 'and' needs true/false, got a number" \
        in text
    assert f"{at(path, '1 > 0')} rule 'e': this condition does not depend on any data" in text
    assert f"{at(path, '2.5')} rule 'f': sma(): 'window' must be a whole number of rows" in text
    assert (f"{at(path, '0) < 0')} rule 'f': worst_decline(): 'window' must be at least 1 "
            "rows, got 0") in text
    assert f"{at(path, 'perf(SPY)')} rule 'g': perf() needs 'window': perf(series, window)" \
        in text
    assert f"{at(path, 'QQQ')} rule 'g': close() takes at most 1 argument" in text
    assert f"{at(path, 'wnd=3')} rule 'g': sma() has no parameter 'wnd'" in text
    assert (f"{at(path, 'SPY > 400')} rule 'h': 'SPY' on its own is not a value; "
            "write close(SPY)") in text


def test_a_malformed_file_runs_nothing(tmp_path, real_store):
    """One bad rule among good ones: exit 6, no state, no outbox, no channel output."""
    out = tmp_path / "alerts.jsonl"
    path = write_rules(tmp_path / "r.yaml", f"""
        channels:
          file: {{type: jsonl, path: {out}}}
        defaults: {{channels: [console, file]}}
        rules:
          - id: good
            condition: close(SPY) > 0
          - id: bad
            condition: close(SPY) >> 1
        """)
    res = CliRunner().invoke(cli, ["--home", str(real_store.parent), "alerts", "run",
                                   str(path), "--as-of", "2024-03-01"])
    assert res.exit_code == EXIT_RULES, res.output
    line, col = at(path, "> 1").split(":")
    assert re.search(rf"{re.escape(str(path))}:{line}:{int(col)}: rule 'bad': syntax: "
                     r"unexpected '>'", res.output), res.output
    assert "good" not in res.stdout
    assert not out.exists()
    with Store(real_store, read_only=True) as store:
        tables = {r[0] for r in store.con.execute(
            "SELECT table_name FROM information_schema.tables").fetchall()}
        if "alert_outbox" in tables:
            assert store.con.execute("SELECT count(*) FROM alert_outbox").fetchone()[0] == 0
            assert store.con.execute("SELECT count(*) FROM alert_state").fetchone()[0] == 0


def test_missing_file_is_a_rule_error(tmp_path):
    (got,) = problems(tmp_path / "nope.yaml")
    assert got == "1:1 the rules file does not exist"
