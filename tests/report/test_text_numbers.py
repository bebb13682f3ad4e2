"""No number in the note's text (Markdown and HTML) that is not a figure's display in
note.json; the only exceptions are listed explicitly here."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

#: Text that contains digits but is not a figure: ISO dates (the as-of and event dates),
#: window names ("200-day", "3-month", "52-week", "10-year") and proper names.
WHITELIST = (
    re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
    re.compile(r"\b\d+-(?:day|week|month|year)s?\b"),
    re.compile(r"S&(?:amp;)?P 500"),
    re.compile(r"Nasdaq[- ]100"),
    re.compile(r"Mag-7"),
)
#: A number as the note prints it: optional sign, digits with thousands separators,
#: decimals, and a unit (%, pp, bp). Digits glued to letters (sp500) are not numbers.
NUMBER = re.compile(r"(?<![\w.])[+-]?\d[\d,]*(?:\.\d+)?(?:%| pp| bp)?(?![\w])")


def numbers_in(text: str) -> list[str]:
    for pat in WHITELIST:
        text = pat.sub(" ", text)
    return NUMBER.findall(text)


class _Text(HTMLParser):
    """Visible text of an HTML page (no script/style content, no attributes)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_text(page: str) -> str:
    p = _Text()
    p.feed(page)
    return "\n".join(p.parts)


def test_number_pattern_and_whitelist() -> None:
    text = ("SPY closed at 6,812.50 on 2024-06-28, +10.5% above its 200-day average; "
            "RSI 56.2, 3 of 7 up, +25 bp, -2.1 pp, the S&P 500 and sp500 members, Mag-7")
    assert numbers_in(text) == ["6,812.50", "+10.5%", "56.2", "3", "7", "+25 bp", "-2.1 pp"]


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_every_number_in_the_synthetic_note_is_a_figure(syn_note, fmt) -> None:
    _, note, folder = syn_note
    displays = {f["display"] for f in note["figures"]}
    raw = (folder / f"note.{fmt}").read_text(encoding="utf-8")
    text = raw if fmt == "md" else html_text(raw)
    assert "⟦" not in text
    found = numbers_in(text)
    assert len(found) > 200
    stray = sorted({n for n in found if n not in displays})
    assert not stray, f"numbers in note.{fmt} that are not figure displays: {stray}"


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_every_number_in_a_real_note_is_a_figure(real_notes, fmt) -> None:
    for _, note, folder in real_notes.values():
        displays = {f["display"] for f in note["figures"]}
        raw = (folder / f"note.{fmt}").read_text(encoding="utf-8")
        text = raw if fmt == "md" else html_text(raw)
        stray = sorted({n for n in numbers_in(text) if n not in displays})
        assert not stray, f"{note['as_of']}: numbers that are not figure displays: {stray}"


def test_text_and_json_agree(syn_note) -> None:
    """Each paragraph's text in note.json is in the Markdown, and its figures exist."""
    _, note, folder = syn_note
    md = (folder / "note.md").read_text(encoding="utf-8")
    ids = {f["id"] for f in note["figures"]}
    for sec in note["sections"]:
        for block in sec["blocks"]:
            items = block.get("items", [block]) if block["type"] in ("paragraph", "bullets") \
                else []
            for item in items:
                assert item["text"] in md
                assert set(item["figures"]) <= ids
