"""Text from plain text, Markdown and HTML files, as paragraphs and sentences.

Parsing uses real parsers, never regular expressions over markup:

* **HTML** with :mod:`lxml.html`. ``script``, ``style``, ``noscript``, ``template``,
  ``svg``, ``head`` and ``nav`` are dropped; every block element (``p``, ``h1``..``h6``,
  ``li``, ``td``, ``blockquote``, ``div``, ...) starts a new paragraph; ``<br>`` is a
  line break. The title comes from ``<title>`` (else the first ``<h1>``); the date from
  ``<meta property="article:published_time">`` / ``<meta name="date">`` or the first
  ``<time datetime=...>``.
* **Markdown** with :mod:`markdown_it` (CommonMark plus tables). Headings, paragraphs,
  list items, table cells and block quotes become paragraphs; code blocks are skipped
  (they are not prose); link text is kept, URLs dropped. A YAML front matter block
  (``---`` ... ``---``) may give ``title`` and ``date``.
* **Plain text**: paragraphs are separated by blank lines; hard-wrapped lines of one
  paragraph are joined with a space; a line starting with ``-``, ``*``, ``+`` or
  ``1.`` starts its own paragraph (a bullet).

Every paragraph keeps the 1-based line of the source file where it starts, so messages
and reports can point at ``file:line``; :meth:`Document.locate` finds the exact line,
column and character span of a quote in the source text.

Limits (issue 16)
-----------------
* Input larger than ``max_bytes`` (default :data:`DEFAULT_MAX_BYTES`, 5,000,000 bytes;
  ``--max-bytes`` on the command line) is refused with a :class:`DataError` (exit 3)
  naming the limit. Only regular files are read, and at most ``max_bytes + 1`` bytes.
* Line endings ``\r\n`` and a lone ``\r`` are read as ``\n``.
* Sentences are split in linear time; a "sentence" longer than
  :data:`MAX_SENTENCE_CHARS` characters (no commentary sentence is) is cut at spaces
  into pieces of at most that length.
* Markdown block quotes nested deeper than :data:`MAX_QUOTE_DEPTH` are flattened to
  that depth (markdown-it stops at its nesting limit and would drop the text); HTML is
  walked without recursion and parsed with ``huge_tree``, so deeply nested elements keep
  their text. Each such repair adds a note to :attr:`Document.warnings`.
* An impossible date (front matter ``date: 99999-99-99``, ``2025-02-30`` in a
  dateline) is ignored with a warning.

Document date ("dateline")
--------------------------
Besides metadata, a short line (under 80 characters) among the first three paragraphs
that contains a full date (``July 10, 2026``, ``10 July 2026``, ``2026-07-10``) is the
document date. The claim checker resolves "last week", "on Friday" and "in June"
against it. Failing both, :func:`read_document` takes an ISO date in the file's name
(``markets_2025-12-31.md``, ``2025-12-31-wrap.html``: how saved pages are often named).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from ..errors import DataError, FileFormatError, ParameterError

__all__ = ["Document", "Paragraph", "Sentence", "read_document", "parse_document",
           "split_sentences", "detect_format", "find_full_date", "TextFormat",
           "DEFAULT_MAX_BYTES", "MAX_SENTENCE_CHARS", "MAX_QUOTE_DEPTH", "Location"]

#: Default input size limit of ``read_document`` (and ``rotascope check/sentiment``).
DEFAULT_MAX_BYTES = 5_000_000
#: Longest sentence kept whole; longer runs are cut at spaces.
MAX_SENTENCE_CHARS = 2_000
#: Deepest Markdown block-quote nesting kept (deeper markers are flattened).
MAX_QUOTE_DEPTH = 16

TextFormat = Literal["text", "markdown", "html"]

_HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
_MD_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd"}


@dataclass(frozen=True)
class Paragraph:
    """One block of prose: its text (whitespace collapsed) and its source line (1-based)."""

    text: str
    line: int | None = None


@dataclass(frozen=True)
class Sentence:
    """A sentence of a paragraph: ``text`` equals ``paragraph.text[start:end]``."""

    text: str
    start: int
    end: int
    paragraph: int          # index in Document.paragraphs
    index: int              # running index over the whole document
    line: int | None = None

    def to_dict(self) -> dict:
        return {"text": self.text, "paragraph": self.paragraph, "line": self.line}


@dataclass(frozen=True)
class Document:
    """Text extracted from a file or string.

    Attributes
    ----------
    paragraphs : tuple of :class:`Paragraph`, in reading order.
    format : "text", "markdown" or "html".
    source : path of the file, or ``"<string>"``.
    title : title from metadata or the first heading, if any.
    date : document date from metadata or a dateline (see module docs), if any.
    date_source : where ``date`` came from (e.g. ``"<meta article:published_time>"``).
    """

    paragraphs: tuple[Paragraph, ...]
    format: TextFormat
    source: str = "<string>"
    title: str | None = None
    date: pd.Timestamp | None = None
    date_source: str | None = None
    _sentences: list[Sentence] = field(default_factory=list, repr=False, compare=False)
    raw: str | None = field(default=None, repr=False, compare=False)
    warnings: list[str] = field(default_factory=list, repr=False, compare=False)
    _index: list = field(default_factory=list, repr=False, compare=False)
    #: Tables: each a tuple of rows, each row the paragraph index of every cell in
    #: order (None for an empty cell); the first row is the header.
    tables: tuple = field(default=(), repr=False, compare=False)

    @property
    def text(self) -> str:
        """All paragraphs joined by blank lines."""
        return "\n\n".join(p.text for p in self.paragraphs)

    def sentences(self) -> list[Sentence]:
        """All sentences in reading order (computed once)."""
        if not self._sentences:
            out: list[Sentence] = []
            for i, para in enumerate(self.paragraphs):
                for start, end in _sentence_spans(para.text, self.warnings):
                    out.append(Sentence(para.text[start:end], start, end, i, len(out),
                                        para.line))
            self._sentences.extend(out)
        return list(self._sentences)


    def locate(self, quote: str, line: int | None) -> Location | None:
        """Where ``quote`` stands in the source text: first occurrence at or after the
        start of ``line`` (the paragraph's line), ignoring whitespace runs, Markdown
        emphasis marks and HTML tags. None when it cannot be found (the caller then
        keeps the paragraph's line)."""
        if self.raw is None or not quote.strip():
            return None
        if not self._index:
            self._index.extend(_source_index(self.raw, self.format))
        flat, where, line_starts = self._index
        needle = _flatten_quote(quote)
        if not needle:
            return None
        pos = 0
        if line is not None and 1 <= line <= len(line_starts):
            pos = bisect.bisect_left(where, line_starts[line - 1])
        k = flat.find(needle, pos)
        if k < 0:
            k = flat.find(needle)
        if k < 0:
            return None
        start, end = where[k], where[k + len(needle) - 1] + 1
        ln = bisect.bisect_right(line_starts, start)
        return Location(ln, start - line_starts[ln - 1] + 1, start, end)


@dataclass(frozen=True)
class Location:
    """A quote's place in the source: 1-based line and column, and its character span
    ``[start, end)`` in the decoded source text (line endings read as ``\\n``)."""

    line: int
    column: int
    start: int
    end: int


def _flatten_quote(text: str) -> str:
    return "".join(ch for ch in text if not ch.isspace() and ch not in "*_`")


def _source_index(raw: str, fmt: str) -> tuple[str, list[int], list[int]]:
    """The source without whitespace, emphasis marks and (HTML) tags, with the offset of
    each kept character; and the offset where each line starts. One linear pass."""
    line_starts = [0]
    line_starts.extend(m.end() for m in re.finditer("\n", raw))
    keep: list[str] = []
    where: list[int] = []
    in_tag = False
    html = fmt == "html"
    i, n = 0, len(raw)
    while i < n:
        ch = raw[i]
        if html:
            if in_tag:
                in_tag = ch != ">"
                i += 1
                continue
            if ch == "<":
                in_tag = True
                i += 1
                continue
            if ch == "&":
                semi = raw.find(";", i + 1, i + 12)
                if semi > 0:
                    import html as _html

                    decoded = _html.unescape(raw[i:semi + 1])
                    if decoded != raw[i:semi + 1]:
                        for d in decoded:
                            if not d.isspace():
                                keep.append(d)
                                where.append(i)
                        i = semi + 1
                        continue
        if not (ch.isspace() or ch in "*_`"):
            keep.append(ch)
            where.append(i)
        i += 1
    return "".join(keep), where, line_starts


# -- format detection and reading ---------------------------------------------------------

def detect_format(path: str | Path | None, text: str) -> TextFormat:
    """``html`` / ``markdown`` by file suffix, else ``html`` if the text starts like HTML.

    Markdown is only recognised by suffix (``.md``, ``.markdown``): plain text is valid
    Markdown, and guessing would change how ``*`` and ``_`` read.
    """
    if path is not None:
        suffix = Path(path).suffix.lower()
        if suffix in _HTML_SUFFIXES:
            return "html"
        if suffix in _MD_SUFFIXES:
            return "markdown"
    head = text[:2000].lstrip().lower()
    if head.startswith(("<!doctype html", "<html")) or re.search(r"<(body|p|div|article)\b",
                                                                   head[:500]):
        return "html"
    return "text"


def read_document(path: str | Path, *, format: str = "auto",
                  max_bytes: int | None = DEFAULT_MAX_BYTES) -> Document:
    """Read a file and extract its prose.

    Parameters
    ----------
    path : the file (UTF-8; a UTF-8 byte-order mark is accepted).
    format : {"auto", "text", "markdown", "html"}; "auto" uses :func:`detect_format`.
    max_bytes : refuse a larger file (None: no limit). Default
        :data:`DEFAULT_MAX_BYTES`.

    Returns
    -------
    Document

    Raises
    ------
    FileFormatError
        The file is missing, not a regular file, larger than ``max_bytes``, not UTF-8
        (names the line of the first bad byte), binary (NUL byte, names its line) or
        holds no text.
    """
    p = Path(path)
    if format not in ("auto", "text", "markdown", "html"):
        raise ParameterError(f"read_document(): 'format' must be one of 'auto', 'text', "
                             f"'markdown', 'html', got {format!r}")
    try:
        raw = _read_bounded(p, max_bytes)
    except FileNotFoundError as exc:
        raise FileFormatError(p, "file not found") from exc
    except IsADirectoryError as exc:
        raise FileFormatError(p, "is a folder, expected a text, Markdown or HTML file") from exc
    except OSError as exc:
        raise FileFormatError(p, f"cannot read: {exc.strerror or exc}") from exc
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise FileFormatError(p, "binary data (NUL byte); expected text, Markdown or HTML",
                              line=line)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise FileFormatError(
            p, f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
               "re-save the file as UTF-8", line=line) from exc
    fmt = detect_format(p, text) if format == "auto" else format
    doc = parse_document(text, format=fmt, source=str(p))  # type: ignore[arg-type]
    if not doc.paragraphs:
        why = f"; {'; '.join(doc.warnings)}" if doc.warnings else ""
        raise FileFormatError(p, f"no text found (read as {fmt}){why}")
    if doc.date is None:
        named = _date_in_name(p.name)
        if named is not None:
            doc = Document(doc.paragraphs, doc.format, doc.source, doc.title, named,
                           f"file name {p.name!r}", raw=doc.raw, warnings=doc.warnings,
                           tables=doc.tables)
    return doc


_NAME_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")


def _date_in_name(name: str) -> pd.Timestamp | None:
    """The one ISO date in a file name (None if none, several, or not a real date)."""
    found = _NAME_DATE.findall(name)
    if len(found) != 1:
        return None
    try:
        return pd.Timestamp(f"{found[0][0]}-{found[0][1]}-{found[0][2]}")
    except ValueError:
        return None


def _read_bounded(p: Path, max_bytes: int | None) -> bytes:
    import os
    import stat

    st = os.stat(p)
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(str(p))
    if not stat.S_ISREG(st.st_mode):
        raise FileFormatError(p, "not a regular file (a FIFO, device or socket); save the "
                                 "text to a file first")
    if max_bytes is not None and st.st_size > max_bytes:
        raise _too_large(p, st.st_size, max_bytes)
    with open(p, "rb") as fh:
        raw = fh.read(max_bytes + 1 if max_bytes is not None else -1)
    if max_bytes is not None and len(raw) > max_bytes:
        raise _too_large(p, len(raw), max_bytes)
    return raw


def _too_large(p: Path, size: int, limit: int) -> DataError:
    return FileFormatError(p, f"input is {size:,} bytes, over the limit of {limit:,} bytes; "
                              f"raise it with --max-bytes (e.g. --max-bytes {size})")


def parse_document(text: str, *, format: TextFormat = "text",
                   source: str = "<string>") -> Document:
    """Extract paragraphs, title and date from a string (see module docs)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    notes: list[str] = []
    if format == "html":
        doc = _parse_html(text, source, notes)
    elif format == "markdown":
        doc = _parse_markdown(text, source, notes)
    elif format == "text":
        doc = Document(tuple(_plain_paragraphs(text.splitlines())), "text", source)
    else:
        raise ParameterError(f"parse_document(): 'format' must be 'text', 'markdown' or "
                             f"'html', got {format!r}")
    date, date_source = doc.date, doc.date_source
    if date is None:
        found = _dateline(doc.paragraphs)
        if found is not None:
            date, para = found
            line = f" (line {para.line})" if para.line else ""
            date_source = f"dateline {para.text!r}{line}"
    return Document(doc.paragraphs, doc.format, doc.source, doc.title, date, date_source,
                    raw=text, warnings=notes + doc.warnings, tables=doc.tables)


# -- plain text ---------------------------------------------------------------------------

_BULLET = re.compile(r"^\s*(?:[-*+\u2022]|\d{1,3}[.)])\s+")


def _plain_paragraphs(lines: list[str], first_line: int = 1) -> list[Paragraph]:
    out: list[Paragraph] = []
    buf: list[str] = []
    start = first_line

    def flush() -> None:
        if buf:
            text = _collapse(" ".join(buf))
            if text:
                out.append(Paragraph(text, start))
        buf.clear()

    for n, line in enumerate(lines, start=first_line):
        if not line.strip():
            flush()
            continue
        if _BULLET.match(line) and buf:
            flush()
        if not buf:
            start = n
        buf.append(_BULLET.sub("", line) if _BULLET.match(line) else line.strip())
    flush()
    return out


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


# -- Markdown -----------------------------------------------------------------------------

_FRONT = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*\n", re.S)


_QUOTE_MARKS = re.compile(r"^(?:[ \t]{0,3}>)+", re.M)


def _flatten_quotes(text: str, notes: list[str]) -> str:
    deepest = 0

    def cut(m: re.Match[str]) -> str:
        nonlocal deepest
        depth = m.group(0).count(">")
        deepest = max(deepest, depth)
        return m.group(0) if depth <= MAX_QUOTE_DEPTH else ">" * MAX_QUOTE_DEPTH

    out = _QUOTE_MARKS.sub(cut, text)
    if deepest > MAX_QUOTE_DEPTH:
        notes.append(f"block quotes nested {deepest} deep were flattened to "
                     f"{MAX_QUOTE_DEPTH} levels")
    return out


def _parse_markdown(text: str, source: str, notes: list[str] | None = None) -> Document:
    from markdown_it import MarkdownIt

    title: str | None = None
    date: pd.Timestamp | None = None
    date_source: str | None = None
    offset = 0
    m = _FRONT.match(text)
    if m:
        import yaml

        try:
            meta = yaml.safe_load(m.group(1)) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 2 if mark is not None else 1
            raise FileFormatError(source, f"front matter is not valid YAML: "
                                          f"{getattr(exc, 'problem', exc)}", line=line) from exc
        if isinstance(meta, dict):
            title = str(meta["title"]) if meta.get("title") else None
            if meta.get("date"):
                date = _to_date(meta["date"])
                date_source = "front matter 'date'" if date is not None else None
                if date is None and notes is not None:
                    notes.append(f"front matter 'date: {str(meta['date'])[:40]}' is not a "
                                 "valid date; ignored")
        offset = m.group(0).count("\n")
        text = text[m.end():]
    if ">" in text:
        text = _flatten_quotes(text, notes if notes is not None else [])
    md = MarkdownIt("commonmark").enable("table")
    tokens = md.parse(text)
    paragraphs: list[Paragraph] = []
    block_line: int | None = None
    in_heading1 = False
    tables: list[list[list[int | None]]] = []
    in_cell = False
    for tok in tokens:
        if tok.map is not None and tok.type.endswith("_open"):
            block_line = tok.map[0] + 1 + offset
        if tok.type == "heading_open":
            in_heading1 = tok.tag == "h1"
        if tok.type == "table_open":
            tables.append([])
        elif tok.type == "tr_open" and tables:
            tables[-1].append([])
        elif tok.type in ("th_open", "td_open"):
            in_cell = True
        if tok.type == "inline":
            line = (tok.map[0] + 1 + offset) if tok.map is not None else block_line
            body = _collapse(_md_inline_text(tok))
            if in_cell and tables and tables[-1]:
                tables[-1][-1].append(len(paragraphs) if body else None)
                in_cell = False
            if body:
                paragraphs.append(Paragraph(body, line))
                if in_heading1 and title is None:
                    title = body
            in_heading1 = False
    return Document(tuple(paragraphs), "markdown", source, title, date, date_source,
                    tables=_freeze_tables(tables))


def _freeze_tables(tables: list[list[list[int | None]]]) -> tuple:
    return tuple(tuple(tuple(row) for row in t if row) for t in tables if len(t) > 1)


def _md_inline_text(tok: object) -> str:
    parts: list[str] = []
    for child in getattr(tok, "children", None) or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            continue  # alt text is not prose
    return "".join(parts)


# -- HTML ---------------------------------------------------------------------------------

_DROP = {"script", "style", "noscript", "template", "svg", "head", "nav", "iframe", "object"}
_FOOTNOTE_MARK = re.compile(r"\s*\[?(?:\d{1,3}|[*\u2020\u2021\u00a7]{1,3}|[a-z])\]?\s*")
_BLOCK = {"p", "div", "section", "article", "main", "header", "footer", "aside", "h1", "h2",
          "h3", "h4", "h5", "h6", "li", "dt", "dd", "blockquote", "pre", "td", "th", "tr",
          "table", "ul", "ol", "dl", "figure", "figcaption", "address", "hr", "body", "form",
          "fieldset", "caption", "details", "summary"}


def _parse_html(text: str, source: str, notes: list[str] | None = None) -> Document:
    import lxml.html
    from lxml import etree

    if not text.strip():
        return Document((), "html", source)
    try:
        parser = lxml.html.HTMLParser(huge_tree=True)
        root = lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise FileFormatError(source, f"cannot parse HTML: {exc}") from exc
    title = None
    t = root.find(".//title")
    if t is not None and t.text_content().strip():
        title = _collapse(t.text_content())
    date, date_source = _html_date(root)
    paragraphs: list[Paragraph] = []
    buf: list[str] = []
    state: dict[str, int | None] = {"line": None}

    def flush() -> None:
        body = _collapse("".join(buf))
        if body:
            paragraphs.append(Paragraph(body, state["line"]))
        buf.clear()
        state["line"] = None

    def add(s: str | None, line: int | None) -> None:
        if s:
            if state["line"] is None and s.strip():
                state["line"] = line
            buf.append(s)

    tables: list[list[list[int | None]]] = []
    cell_start: list[int] = [0]

    def walk(top: Any) -> None:
        # Iterative depth-first walk (no recursion limit on deeply nested markup):
        # ("open", el) visits an element, ("close", el) ends it after its children.
        stack: list[tuple[bool, Any]] = [(True, top)]
        while stack:
            opening, el = stack.pop()
            tag = el.tag if isinstance(el.tag, str) else ""  # comments/PIs: callable tags
            tag = tag.lower()
            if not opening:
                if tag in _BLOCK:
                    flush()
                if tag in ("td", "th") and tables and tables[-1]:
                    tables[-1][-1].append(len(paragraphs) - 1
                                          if len(paragraphs) > cell_start[-1] else None)
                    cell_start.pop()
                add(el.tail, el.sourceline)
                continue
            if not tag:
                add(el.tail, getattr(el, "sourceline", None))
                continue
            if tag in _DROP or (tag == "sup" and _FOOTNOTE_MARK.fullmatch(
                    el.text_content() or "")):
                # A footnote mark ("in May<sup>1</sup>") is not part of the sentence.
                add(el.tail, el.sourceline)
                continue
            if tag in _BLOCK:
                flush()
            if tag == "table":
                tables.append([])
            elif tag == "tr" and tables:
                tables[-1].append([])
            elif tag in ("td", "th"):
                cell_start.append(len(paragraphs))
            if tag == "br":
                buf.append(" ")
            add(el.text, el.sourceline)
            stack.append((False, el))
            stack.extend((True, child) for child in reversed(el))

    body = root.find("body")
    walk(body if body is not None else root)
    flush()
    if title is None:
        h1 = root.find(".//h1")
        if h1 is not None and h1.text_content().strip():
            title = _collapse(h1.text_content())
    return Document(tuple(paragraphs), "html", source, title, date, date_source,
                    tables=_freeze_tables(tables))


def _html_date(root: Any) -> tuple[pd.Timestamp | None, str | None]:
    for attr, value in (("property", "article:published_time"), ("name", "date"),
                        ("name", "pubdate"), ("itemprop", "datePublished")):
        for meta in root.iter("meta"):
            if (meta.get(attr) or "").lower() == value.lower() and meta.get("content"):
                d = _to_date(meta.get("content"))
                if d is not None:
                    return d, f"<meta {value}>"
    for el in root.iter("time"):
        if el.get("datetime"):
            d = _to_date(el.get("datetime"))
            if d is not None:
                return d, f"<time datetime> (line {el.sourceline})"
    return None, None


def _to_date(value: object) -> pd.Timestamp | None:
    try:
        ts = pd.Timestamp(str(value)[:10] if isinstance(value, str) else value)
    except (TypeError, ValueError, OverflowError):
        return None
    if ts is pd.NaT:
        return None
    return ts.tz_localize(None).normalize() if ts.tzinfo is not None else ts.normalize()


# -- dates written in prose -------------------------------------------------------------

MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], start=1)}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
MONTHS["sept"] = 9
_MONTH_RE = (r"(?:January|February|March|April|May|June|July|August|September|October|"
             r"November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?")
_ANY_CASE_MONTH = rf"(?:{_MONTH_RE}|{_MONTH_RE.upper()})"   # "AUGUST 1, 2025" in a slug
_FULL_DATE = re.compile(
    rf"\b(?:(?P<m1>{_ANY_CASE_MONTH})\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>(?:19|20)\d\d)"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m2>{_ANY_CASE_MONTH})\s+(?P<y2>(?:19|20)\d\d)"
    rf"|(?P<iso>(?:19|20)\d\d-\d\d-\d\d))\b")


def find_full_date(text: str) -> tuple[pd.Timestamp, int, int] | None:
    """First full date in ``text`` as ``(Timestamp, start, end)``, or None.

    Recognises ``July 10, 2026``, ``Jul. 10 2026``, ``10 July 2026`` and ``2026-07-10``.

    Examples
    --------
    >>> find_full_date("Published July 10, 2026 by staff")[0]
    Timestamp('2026-07-10 00:00:00')
    """
    for m in _FULL_DATE.finditer(text):
        try:
            if m.group("iso"):
                ts = pd.Timestamp(m.group("iso"))
            else:
                mon = (m.group("m1") or m.group("m2")).rstrip(".").lower()
                day = int(m.group("d1") or m.group("d2"))
                year = int(m.group("y1") or m.group("y2"))
                ts = pd.Timestamp(year=year, month=MONTHS[mon], day=day)
        except (ValueError, KeyError):
            continue
        return ts, m.start(), m.end()
    return None


def _dateline(paragraphs: tuple[Paragraph, ...]) -> tuple[pd.Timestamp, Paragraph] | None:
    # A dateline is a short paragraph, or a date that ends one of the first paragraphs
    # (a headline run into its "By Desk | October 10, 2025" line, no blank line between).
    for para in paragraphs[:3]:
        if len(para.text) < 80:
            found = find_full_date(para.text)
            if found is not None:
                return found[0], para
        elif len(para.text) < 200:
            tail = para.text.rstrip(" .")
            found = find_full_date(tail[-40:])
            if found is not None and found[2] == len(tail[-40:]):
                return found[0], para
    return None


# -- sentences ----------------------------------------------------------------------------

#: Abbreviations after which a period does not end a sentence (lower case, no period).
ABBREVIATIONS = frozenset({
    "inc", "corp", "co", "ltd", "plc", "llc", "lp", "mr", "mrs", "ms", "dr", "prof", "st",
    "no", "vs", "etc", "e.g", "i.e", "approx", "est", "u.s", "u.k", "jan", "feb", "mar",
    "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mon", "tue", "wed",
    "thu", "fri", "sat", "sun", "fig", "jr", "sr", "dept", "gov", "sen", "rep", "avg"})

_END = re.compile(r"(?<![.!?])[.!?]+[\"'\u201d\u2019)\]]*(?=\s|$)")


_LAST_WORD = re.compile(r"([A-Za-z][A-Za-z.&]*)$")


def _sentence_spans(text: str, notes: list[str] | None = None) -> list[tuple[int, int]]:
    """Sentence spans in linear time (each test looks at a bounded window of text), with
    runs longer than MAX_SENTENCE_CHARS cut at spaces."""
    spans = _raw_sentence_spans(text)
    if not any(b - a > MAX_SENTENCE_CHARS for a, b in spans):
        return spans
    out: list[tuple[int, int]] = []
    for a, b in spans:
        while b - a > MAX_SENTENCE_CHARS:
            cut = text.rfind(" ", a + MAX_SENTENCE_CHARS // 2, a + MAX_SENTENCE_CHARS)
            cut = cut if cut > a else a + MAX_SENTENCE_CHARS
            out.append((a, cut))
            a = cut
            while a < b and text[a].isspace():
                a += 1
        if a < b:
            out.append((a, b))
    if notes is not None and not any("longer than" in n for n in notes):
        notes.append(f"a sentence longer than {MAX_SENTENCE_CHARS:,} characters was cut "
                     "into pieces at spaces")
    return out


def _raw_sentence_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _END.finditer(text):
        end = m.end()
        if m.group(0).startswith(".") and len(m.group(0).rstrip("\"'\u201d\u2019)]")) == 1:
            before = text[max(start, m.start() - 40):m.start()]
            word = _LAST_WORD.search(before)
            if word and (word.group(1).lower().rstrip(".") in ABBREVIATIONS
                         or re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]?", word.group(1))
                         or len(word.group(1)) == 1 and word.group(1).isupper()):
                continue
        nxt = text[end:end + 64].lstrip()
        if nxt and not (nxt[0].isupper() or nxt[0].isdigit() or nxt[0] in "\"'\u201c\u2018($"):
            continue
        piece = text[start:end]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            spans.append((start + lead, end))
        start = end
    if text[start:].strip():
        lead = len(text[start:]) - len(text[start:].lstrip())
        spans.append((start + lead, len(text.rstrip())))
    return spans


def split_sentences(text: str) -> list[str]:
    """Split one paragraph into sentences (rule-based).

    A sentence ends at ``.``, ``!`` or ``?`` (plus closing quotes/brackets) followed by
    whitespace and an upper-case letter, digit, quote, ``(`` or ``$``, except after
    known abbreviations (``Inc.``, ``U.S.``, ``vs.``, month abbreviations, ...) and
    single initials. Decimal points never end a sentence (no whitespace follows).

    Examples
    --------
    >>> split_sentences("Apple Inc. rose 1.5% on Friday. The S&P 500 fell. U.S. yields rose!")
    ['Apple Inc. rose 1.5% on Friday.', 'The S&P 500 fell.', 'U.S. yields rose!']
    """
    return [text[a:b] for a, b in _sentence_spans(text)]
