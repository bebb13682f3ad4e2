"""``rotascope check FILE``: find the market claims in a text and check them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from ._common import as_of_option, emit_json, json_option, open_store, settings_of
from .sentiment import format_option, max_bytes_option, print_warnings, text_aliases

if TYPE_CHECKING:
    from ...text.claims.model import CheckReport

__all__ = ["check", "check_report"]

EPILOG = """\b
Examples:
  rotascope check wrap.md
  rotascope check article.html --as-of 2026-07-10 --json
  rotascope check notes.txt --strict     # exit code 10 if a claim does not hold

Claims read: returns over a period or year to date; outperformance and gaps in
percentage points; N-month highs/lows, also relative to another instrument, and
"weakest since <month>"; position against moving averages and their direction;
declines over a period and drawdowns from a high; ranges and levels (index levels
from the index series, else the ETF scaled to a documented close: "roughly" at best);
RSI states; breadth ("62% of stocks above their 50-day", "most S&P 500 stocks are up
this year"); ranks ("the best-performing sector in 2025", "energy led"); one-day
moves. Lists ("Apple, Nvidia and Alphabet are each down 10%") give one claim per name.

Dates: a date in the text itself (HTML metadata, Markdown front matter, or a dateline
near the top) is the reference for "last week", "on Friday", "in June"; otherwise
--as-of; otherwise the store's last date. The JSON says which date was used.

Input: at most 5,000,000 bytes by default (--max-bytes to raise it; larger input
exits with code 3). Each claim gives its line, column and character span in FILE.
Forecasts, conditionals and hedges ("could test", "if it breaks", "we expect") are
not checked as facts.

Verdicts: holds, roughly, does not hold, cannot check (with the reason). Names map to
store tickers through the alias table (S&P 500 -> SPY, Nasdaq 100 -> QQQ, Big Tech ->
MAGS, chip stocks -> SMH, the iPhone maker -> AAPL, ...); extend it in
$ROTASCOPE_HOME/aliases.yaml. An unknown name is "cannot check", never another
instrument. See docs/text.md.
"""


@click.command(epilog=EPILOG)
@click.argument("file", type=click.Path(dir_okay=False))
@as_of_option
@format_option
@json_option
@max_bytes_option
@click.option("--strict", is_flag=True,
              help="Exit with code 10 when any claim does not hold.")
@click.option("--llm", "use_llm", is_flag=True,
              help="Also ask the LLM configured in $ROTASCOPE_HOME/config.yaml (section "
                   "'llm') to find claims; off by default, every claim is still checked "
                   "by rotascope.")
@click.pass_context
def check(ctx: click.Context, file: str, as_of: object, fmt: str, as_json: bool,
          max_bytes: int, strict: bool, use_llm: bool) -> None:
    """Check the quantitative market claims in FILE against the store."""
    from ...errors import EXIT_FINDINGS
    from ...text.extract import read_document

    doc = read_document(file, format=fmt, max_bytes=max_bytes or None)
    with open_store(ctx) as store:
        report = check_report(store, settings_of(ctx), doc, as_of, use_llm=use_llm,
                              aliases=text_aliases(ctx, store))
    print_warnings(doc.source, doc.warnings)
    if as_json:
        emit_json(report.to_dict())
    else:
        _print(report)
    if strict and report.counts()["does not hold"]:
        ctx.exit(EXIT_FINDINGS)


_STYLE = {"holds": "green", "roughly": "yellow", "does not hold": "red",
          "cannot check": "dim"}


def _print(report: CheckReport) -> None:
    from ._common import console

    out = console()
    out.print(f"{report.source}: {len(report.claims)} claim(s), as of "
              f"{report.as_of:%Y-%m-%d} ({report.as_of_source})")
    for i, r in enumerate(report.claims, 1):
        c = r.claim
        style = _STYLE[r.verdict]
        inst = ", ".join(c.tickers) or "-"
        where = f"  (line {c.line}" + (f", col {c.column})" if c.column else ")") \
            if c.line else ""
        out.print(f"\n{i}. [{style}]{r.verdict.upper()}[/]  {c.kind}  [{inst}]{where}")
        out.print(f"   \"{c.quote}\"", markup=False)
        out.print(f"   {r.reason}", markup=False)
    counts = report.counts()
    out.print("\n" + ", ".join(f"{v}: {n}" for v, n in counts.items()))


def check_report(store: Any, settings: Any, doc: Any, as_of: Any = None, *,
                 use_llm: bool = False, aliases: Any = None) -> CheckReport:
    """The :class:`~rotascope.text.claims.model.CheckReport` of a document (`rotascope
    check`; --json prints its ``to_dict()``)."""
    from ...text.aliases import load_aliases
    from ...text.claims.model import CheckReport
    from ...text.claims.patterns import extract_claims
    from ...text.claims.verify import check_claims, reference_date
    from ...text.marketdata import open_market

    market = open_market(store)
    table = aliases if aliases is not None else load_aliases(settings.home / "aliases.yaml",
                                                             store=store)
    ref, src = reference_date(doc, as_of, market)
    claims = extract_claims(doc, table)
    if use_llm:
        from ...text.claims.llm import llm_extract_claims, load_llm_config

        config = load_llm_config(settings.config_path)
        seen = {c.quote for c in claims}
        claims += [c for c in llm_extract_claims(doc, table, config) if c.quote not in seen]
    results = check_claims(claims, market, ref=ref, date_source=src)
    return CheckReport(ref, tuple(results), doc.source, src, warnings=tuple(doc.warnings))
