"""Text extraction from plain text, Markdown and HTML (real parsers), sentences, errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from rotascope.errors import FileFormatError
from rotascope.text.extract import (
    detect_format,
    find_full_date,
    parse_document,
    read_document,
    split_sentences,
)


def test_html_skips_script_style_nav_and_reads_metadata(texts: Path) -> None:
    doc = read_document(texts / "wrap_2026-07-10.html")
    assert doc.format == "html"
    assert doc.title == "Weekly wrap: mega caps bounce"
    assert doc.date == pd.Timestamp("2026-07-10")
    assert "article:published_time" in doc.date_source
    text = doc.text
    assert "tracking" not in text and "99%" not in text and "margin" not in text
    assert "Nvidia jumped 4% on Friday and Meta surged" in text     # <b> kept inline
    assert "S&P 500" in text                                        # &amp; decoded
    # List items are their own paragraphs, and paragraphs keep their source lines.
    items = [p for p in doc.paragraphs if p.text.startswith("Microsoft has lost")]
    assert len(items) == 1 and items[0].line == 20


def test_html_block_elements_split_paragraphs_and_br_breaks() -> None:
    doc = parse_document("<div>One<p>Two <i>three</i></p>four<br>five</div>", format="html")
    assert [p.text for p in doc.paragraphs] == ["One", "Two three", "four five"]


def test_markdown_front_matter_code_links_and_lines(tmp_path: Path) -> None:
    md = tmp_path / "a.md"
    md.write_text("---\ntitle: T\ndate: 2025-04-08\n---\n# Head\n\nSome *em* and "
                  "[link text](http://x.y) here.\n\n```\ncode fell 50%\n```\n\n- item one\n"
                  "- item two\n", encoding="utf-8")
    doc = read_document(md)
    assert doc.format == "markdown" and doc.title == "T"
    assert doc.date == pd.Timestamp("2025-04-08") and doc.date_source == "front matter 'date'"
    assert [p.text for p in doc.paragraphs] == ["Head", "Some em and link text here.",
                                                "item one", "item two"]
    assert [p.line for p in doc.paragraphs] == [5, 7, 13, 14]
    assert "code fell" not in doc.text


def test_markdown_bad_front_matter_names_the_line(tmp_path: Path) -> None:
    md = tmp_path / "bad.md"
    md.write_text("---\ntitle: [unclosed\n---\ntext\n", encoding="utf-8")
    with pytest.raises(FileFormatError) as err:
        read_document(md)
    assert str(md) in str(err.value) and "front matter" in str(err.value)
    assert err.value.line is not None and err.value.line >= 2


def test_plain_text_paragraphs_bullets_and_dateline(texts: Path) -> None:
    doc = read_document(texts / "levels.txt")
    assert doc.format == "text"
    assert doc.date == pd.Timestamp("2026-07-10") and "dateline" in doc.date_source
    doc = parse_document("Line one\nwrapped here.\n\n- first\n- second\n")
    assert [(p.text, p.line) for p in doc.paragraphs] == [
        ("Line one wrapped here.", 1), ("first", 4), ("second", 5)]
    assert doc.date is None


def test_read_errors_name_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.txt"
    bad.write_bytes(b"fine line\nsecond line\nbad \xe9 byte\n")
    with pytest.raises(FileFormatError) as err:
        read_document(bad)
    assert err.value.line == 3 and "UTF-8" in err.value.reason
    assert str(err.value).startswith(f"{bad}:3:")
    binary = tmp_path / "x.txt"
    binary.write_bytes(b"a\nb\n\x00c")
    with pytest.raises(FileFormatError) as err:
        read_document(binary)
    assert err.value.line == 3 and "binary" in err.value.reason
    with pytest.raises(FileFormatError, match="file not found"):
        read_document(tmp_path / "missing.txt")
    empty = tmp_path / "empty.html"
    empty.write_text("<html><body><script>x</script></body></html>", encoding="utf-8")
    with pytest.raises(FileFormatError, match="no text found"):
        read_document(empty)


def test_detect_format() -> None:
    assert detect_format("a.HTM", "") == "html"
    assert detect_format("a.markdown", "") == "markdown"
    assert detect_format("a.txt", "<!DOCTYPE html><html>") == "html"
    assert detect_format(None, "# not markdown unless the suffix says so") == "text"


@pytest.mark.parametrize("text,expected", [
    ("Apple Inc. rose 1.5% on Friday. The S&P 500 fell.",
     ["Apple Inc. rose 1.5% on Friday.", "The S&P 500 fell."]),
    ("U.S. stocks fell vs. bonds. Next!", ["U.S. stocks fell vs. bonds.", "Next!"]),
    ('He said "stocks fell." Then $NVDA rose.', ['He said "stocks fell."', "Then $NVDA rose."]),
    ("It rose 3.5 percent in Jan. and Feb. this year. Done.",
     ["It rose 3.5 percent in Jan. and Feb. this year.", "Done."]),
])
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_sentences_carry_paragraph_and_line() -> None:
    doc = parse_document("A rose. B fell.\n\nC gained.")
    sents = doc.sentences()
    assert [(s.text, s.paragraph, s.index, s.line) for s in sents] == [
        ("A rose.", 0, 0, 1), ("B fell.", 0, 1, 1), ("C gained.", 1, 2, 3)]
    assert all(doc.paragraphs[s.paragraph].text[s.start:s.end] == s.text for s in sents)


@pytest.mark.parametrize("text,date", [
    ("Published July 10, 2026 by staff", "2026-07-10"),
    ("10 July 2026", "2026-07-10"),
    ("Sept. 3 2025", "2025-09-03"),
    ("as of 2024-06-28.", "2024-06-28"),
])
def test_find_full_date(text: str, date: str) -> None:
    found = find_full_date(text)
    assert found is not None and found[0] == pd.Timestamp(date)


def test_find_full_date_rejects_impossible_dates() -> None:
    assert find_full_date("February 30, 2025") is None
