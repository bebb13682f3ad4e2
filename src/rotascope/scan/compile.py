"""Parse and check a scan condition (and its sort expression) before any data is read.

Problems come back as one :class:`ScanConditionError` (a :class:`RuleError`, exit code
6) that points at the column of the condition, or at ``file:line:column`` for a named
scan read from a YAML file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..errors import RuleError
from ..rules.evaluate import CheckInfo, Issue, check_condition, check_value
from ..rules.grammar import ConditionSyntaxError, Node, parse_condition

__all__ = ["CompiledScan", "ScanConditionError", "compile_scan"]


class ScanConditionError(RuleError):
    """A scan condition or sort expression is malformed; the message shows where."""


@dataclass(frozen=True)
class CompiledScan:
    """A checked condition (reads ``$``) and optional number-valued sort expression."""

    condition: str
    tree: Node
    info: CheckInfo
    sort: str | None = None
    sort_tree: Node | None = None

    @property
    def legs(self) -> list[str]:
        """Single tickers the scan reads (ratio legs, ``close(SPY)``), sorted."""
        return self.info.tickers


def _caret(text: str, where: str, start: int, end: int, message: str,
           locate: Callable[[int], tuple[int, int]] | None) -> str:
    lines = text.splitlines() or [""]
    if locate is not None:
        line, col = locate(start)
        return f"{where}:{line}:{col}: {message}"
    # single-line condition: show it with a caret under the span
    before = text[:start]
    line_no = before.count("\n")
    col = start - (before.rfind("\n") + 1)
    src = lines[min(line_no, len(lines) - 1)]
    width = max(1, min(end - start, len(src) - col))
    return f"{where}:{line_no + 1}:{col + 1}: {message}\n    {src}\n    {' ' * col}{'^' * width}"


def _raise(text: str, where: str, issues: list[Issue],
           locate: Callable[[int], tuple[int, int]] | None) -> None:
    n = len(issues)
    head = f"{where}: {n} problem{'s' if n != 1 else ''} in the scan; nothing was scanned"
    body = "\n".join(_caret(text, where, i.start, i.end, i.message, locate) for i in issues)
    raise ScanConditionError(head + "\n" + body)


def _parse(text: str, where: str, locate: Callable[[int], tuple[int, int]] | None) -> Node:
    try:
        return parse_condition(text)
    except ConditionSyntaxError as exc:
        off = exc.problem.offset
        _raise(text, where, [Issue(off, off + 1, f"syntax: {exc.problem.message}")], locate)
        raise  # pragma: no cover - _raise always raises


def compile_scan(condition: str, *, sort: str | None = None,
                 known_tickers: set[str] | None = None,
                 universe_problem: Callable[[str], str | None] | None = None,
                 where: str = "condition",
                 locate: Callable[[int], tuple[int, int]] | None = None) -> CompiledScan:
    """Parse and type-check ``condition`` (must read ``$``) and ``sort`` (a number).

    Parameters
    ----------
    condition : e.g. ``"close($) > sma($, 50) and ratio($, SPY).lowest_in_months >= 4"``.
    sort : optional number expression, e.g. ``"rsi($, 14)"`` (descending).
    known_tickers : tickers with prices; None skips the check.
    universe_problem : message for an unknown universe name (``breadth(x)``), else None.
    where : label of the text in messages (``condition``, ``scans.yaml``).
    locate : maps an offset in ``condition`` to (line, column) of a file, for named scans.

    Raises
    ------
    ScanConditionError
        Every problem, each with its line and column.
    """
    tree = _parse(condition, where, locate)
    issues, info = check_condition(tree, known_tickers=known_tickers,
                                   universe_problem=universe_problem, allow_members=True)
    if not issues and not info.members:
        issues = [Issue(0, len(condition), "a scan condition must read '$' (each member), "
                                           "e.g. close($) > sma($, 50)")]
    if issues:
        _raise(condition, where, issues, locate)
    sort_tree = None
    if sort is not None:
        sort_tree = _parse(sort, "--sort", None)
        sort_issues, sort_info = check_value(sort_tree, known_tickers=known_tickers,
                                             universe_problem=universe_problem,
                                             allow_members=True)
        if sort_issues:
            _raise(sort, "--sort", sort_issues, None)
        info = CheckInfo(sorted(set(info.tickers) | set(sort_info.tickers)),
                         sorted(set(info.universes) | set(sort_info.universes)),
                         sorted(set(info.functions) | set(sort_info.functions)), True)
    return CompiledScan(condition, tree, info, sort, sort_tree)
