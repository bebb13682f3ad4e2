"""Issue 16, text: hostile input never crashes or hangs ``check`` / ``sentiment``.

Each listed case is a regression test; a bounded hypothesis fuzz run checks that no
generated input ends in exit 1 / "internal error" or runs over 10 s.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rotascope.errors import EXIT_DATA
from rotascope.outputs.cli.main import cli
from rotascope.text.extract import DEFAULT_MAX_BYTES, MAX_SENTENCE_CHARS, parse_document


def _run(home: Path, *args: str):
    return CliRunner().invoke(cli, ["--home", str(home), *args])


def test_input_over_the_limit_exits_3_naming_it(tmp_path: Path, loaded_store) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"Apple rose 2% last week. " * (DEFAULT_MAX_BYTES // 25 + 10))
    for cmd in ("check", "sentiment"):
        res = _run(loaded_store.home, cmd, str(big))
        assert res.exit_code == EXIT_DATA, res.output
        assert f"{DEFAULT_MAX_BYTES:,} bytes" in res.output and "--max-bytes" in res.output
    small = tmp_path / "small.txt"
    small.write_text("Apple rose 2% in June 2025. " * 40)
    res = _run(loaded_store.home, "check", str(small), "--max-bytes", "100")
    assert res.exit_code == EXIT_DATA and "limit of 100 bytes" in res.output
    res = _run(loaded_store.home, "sentiment", str(small), "--max-bytes", "0", "--json")
    assert res.exit_code == 0


def test_a_fifo_is_refused_not_read(tmp_path: Path, loaded_store) -> None:
    import os

    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    res = _run(loaded_store.home, "check", str(fifo))
    assert res.exit_code == EXIT_DATA and "not a regular file" in res.output


def test_cr_only_line_endings_give_lines(tmp_path: Path, loaded_store) -> None:
    f = tmp_path / "cr.txt"
    f.write_bytes(b"June 30, 2025\r\rIntro.\rNvidia rallied 17% in June.\r")
    res = _run(loaded_store.home, "check", str(f), "--json")
    assert res.exit_code == 0, res.output
    (claim,) = json.loads(res.output)["claims"]
    assert claim["line"] == 4 and claim["instruments"] == ["NVDA"]


def test_impossible_dates_are_ignored_with_a_warning(tmp_path: Path, loaded_store) -> None:
    f = tmp_path / "bad.md"
    f.write_text("---\ndate: 99999-99-99\n---\nApple rose 2% on 2025-02-30. "
                 "Nvidia fell 3% since 2025-02-30.\n")
    res = CliRunner().invoke(cli, ["--home", str(loaded_store.home), "check", str(f),
                                   "--as-of", "2025-06-30", "--json"])
    assert res.exit_code == 0, res.output
    assert "internal error" not in res.output
    doc = parse_document(f.read_text(), format="markdown")
    assert doc.date is None and any("99999-99-99" in w for w in doc.warnings)
    line = parse_document("Dated 2025-02-30\n\nApple rose 2% last week.")
    assert line.date is None


def test_deep_html_and_markdown_quotes_keep_their_claim(tmp_path: Path) -> None:
    html = parse_document("<html><body>" + "<div>" * 1500 + "<p>Apple rose 2% last week."
                          "</p>" + "</div>" * 1500 + "</body></html>", format="html")
    assert [s.text for s in html.sentences()] == ["Apple rose 2% last week."]
    md = parse_document(">" * 50_000 + " Apple rose 2% last week.\n", format="markdown")
    assert [s.text for s in md.sentences()] == ["Apple rose 2% last week."]
    assert any("flattened" in w for w in md.warnings)


def test_long_sentences_are_cut_and_splitting_is_linear() -> None:
    doc = parse_document("word " * 200_000)
    assert all(len(s.text) <= MAX_SENTENCE_CHARS for s in doc.sentences())
    assert any("longer than" in w for w in doc.warnings)
    dots = parse_document("." * 500_000 + " Apple rose 2%.")
    assert dots.sentences()[-1].text == "Apple rose 2%."


def test_markdown_table_rows_are_read(loaded_store) -> None:
    from rotascope.text.aliases import load_aliases
    from rotascope.text.claims.patterns import extract_claims

    rows = "| note | x |\n|---|---|\n" + "".join(
        f"| Apple rose {i % 9 + 1}% in June | {i} |\n" for i in range(2_000))
    doc = parse_document(rows, format="markdown")
    claims = extract_claims(doc, load_aliases())
    assert len(claims) == 2_000 and claims[-1].line == 2_002


# -- fuzz ------------------------------------------------------------------------------

_WORDS = st.sampled_from([
    "Apple", "Nvidia", "the S&P 500", "small caps", "MAGS/SPY", "$NVDA", "It", "They",
    "rose", "fell", "jumped", "shed", "is up", "down", "10%", "2.5%", "-3%", "1 in 5",
    "last week", "in June", "year to date", "since April 8", "on Friday", "2025-02-30",
    "a 6-month low", "relative to", "record high", "above its 50-day", "led", "lagged",
    "could", "if", "6,000", "$60,000", "basis points", "of S&P 500 stocks", "(", ")", "[",
    "**", "<b>", "</b>", ">", "|", "\r", "\n", "\n\n", ".", ",", ";", "---", "date:",
    "\u202e", "\u200b", "\x0c", "99999-99-99", "é", "🚀"])
_TEXT = st.lists(_WORDS | st.text(max_size=12), max_size=60).map(" ".join)


#: Examples per fuzz test (raise it for a long run: ROTASCOPE_FUZZ_EXAMPLES=1000).
FUZZ_EXAMPLES = int(os.environ.get("ROTASCOPE_FUZZ_EXAMPLES", "25"))


def _no_crash(res, args, text) -> None:
    assert res.exit_code != 1, (args, text, res.output, res.exception)
    assert "internal error" not in res.output and "Traceback" not in res.output
    assert res.exit_code in (0, EXIT_DATA), (args, res.output)


@settings(max_examples=FUZZ_EXAMPLES, deadline=10_000,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(text=_TEXT, suffix=st.sampled_from([".txt", ".md", ".html"]))
def test_fuzz_check_never_crashes(tmp_path_factory, loaded_store, text, suffix) -> None:
    f = tmp_path_factory.mktemp("fuzz") / f"in{suffix}"
    f.write_text(text, encoding="utf-8")
    args = ("check", str(f), "--as-of", "2025-06-30", "--json")
    t0 = time.perf_counter()
    res = _run(loaded_store.home, *args)
    assert time.perf_counter() - t0 < 10, args
    _no_crash(res, args, text)


@settings(max_examples=2 * FUZZ_EXAMPLES, deadline=10_000,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(text=_TEXT, suffix=st.sampled_from([".txt", ".md", ".html"]))
def test_fuzz_sentiment_never_crashes(tmp_path_factory, text, suffix) -> None:
    d = tmp_path_factory.mktemp("fuzz")
    f = d / f"in{suffix}"
    f.write_text(text, encoding="utf-8")
    args = ("sentiment", str(f), "--json")
    t0 = time.perf_counter()
    res = _run(d / "home", *args)          # no store: built-in aliases
    assert time.perf_counter() - t0 < 10, args
    _no_crash(res, args, text)
