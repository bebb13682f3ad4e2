"""The alert condition language: a Lark LALR grammar and the syntax tree it builds.

A condition is an expression over time series that is true or false on each date::

    ratio(MAGS, SPY).lowest_in_months >= 4
    close(SPY) < range(SPY).floor and not rsi_divergence(SPY) == "bullish"
    worst_decline(IBIT, 10) <= -20%
    breadth(sp500).pct_above_sma.50 crosses_below 0.5
    regime changed

Grammar (lowest precedence first)::

    condition  := or
    or         := and ("or" and)*
    and        := not ("and" not)*
    not        := "not" not | test
    test       := sum [ ("<" | "<=" | ">" | ">=" | "==" | "!=") sum
                      | ("crosses_above" | "crosses_below") sum
                      | "changed" ]
    sum        := product (("+" | "-") product)*
    product    := unary (("*" | "/") unary)*
    unary      := "-" unary | postfix
    postfix    := atom ("." (name | digits))*
    atom       := number ["%"] | string | "true" | "false" | window
                | name "(" [arg ("," arg)*] ")" | name | "(" or ")"
    arg        := name "=" or | or

Names are letters, digits and ``_``, optionally starting with ``^`` and followed by
``-PART`` segments in capitals or digits, so tickers such as ``BRK-B`` and ``^TNX`` are
single names (write ``a - b`` with spaces to subtract). ``$`` is a name too: in a scan
it stands for each member of the universe (``close($) > sma($, 50)``); alerts refuse it.
Numbers may end in ``%`` (``-20%`` is ``-0.20``). Windows are ``10d``, ``2w``, ``3m``,
``1y`` (trading rows: a week is 5 rows, a month 21, a year 252).
Strings use double or single quotes.
Keywords are lower case.

Parsing never evaluates anything: :func:`parse_condition` returns a tree of frozen
dataclasses; each node records its character offsets in the condition text so errors
can point at the exact line and column of the rules file.
"""

from __future__ import annotations

import ast as _pyast
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from lark.visitors import Transformer_NonRecursive

__all__ = [
    "GRAMMAR",
    "Node",
    "Number",
    "String",
    "Bool",
    "Name",
    "Window",
    "Call",
    "Attr",
    "Neg",
    "Arith",
    "Compare",
    "Changed",
    "BoolOp",
    "Not",
    "SyntaxProblem",
    "parse_condition",
    "unparse",
    "walk",
    "MAX_CHARS",
    "MAX_DEPTH",
    "MAX_TERMS",
]

#: Longest condition (characters). Longer text is refused before parsing.
MAX_CHARS = 10_000
#: Deepest nesting of the syntax tree (operators, parentheses around operators, nested
#: calls, ``.field`` chains; a chain ``a or b or c`` of N terms is N levels deep).
MAX_DEPTH = 100
#: Most nodes (terms, operators, arguments) in one condition.
MAX_TERMS = 1_000

GRAMMAR = r"""
?start: or_expr

?or_expr: and_expr
        | or_expr OR and_expr                -> bool_op
?and_expr: not_expr
         | and_expr AND not_expr             -> bool_op
?not_expr: test
         | NOT not_expr                      -> not_
?test: sum
     | sum COMPARE sum                       -> compare
     | sum CROSS sum                         -> compare
     | sum CHANGED                           -> changed
?sum: product
    | sum ADD product                        -> arith
    | sum SUB product                        -> arith
?product: unary
        | product MUL unary                  -> arith
        | product DIV unary                  -> arith
?unary: postfix
      | SUB unary                            -> neg
?postfix: atom
        | postfix "." NAME                   -> attr
        | postfix "." DIGITS                 -> attr
?atom: NUMBER                                -> number
     | STRING                                -> string
     | TRUE                                  -> true
     | FALSE                                 -> false
     | WINDOW                                -> window
     | NAME LPAR [arglist] RPAR              -> call
     | NAME                                  -> name
     | "(" or_expr ")"
arglist: arg ("," arg)*
?arg: or_expr
    | NAME "=" or_expr                       -> kwarg

OR: "or"
AND: "and"
NOT: "not"
TRUE: "true"
FALSE: "false"
CHANGED: "changed"
CROSS: "crosses_above" | "crosses_below"
COMPARE: "<=" | ">=" | "==" | "!=" | "<" | ">"
ADD: "+"
SUB: "-"
MUL: "*"
DIV: "/"
LPAR: "("
RPAR: ")"
NAME: /\$|\^?[A-Za-z_][A-Za-z0-9_]*(-[A-Z0-9]+)*/
WINDOW.2: /[0-9]+[dwmy](?![A-Za-z0-9_])/
NUMBER: /([0-9]+(\.[0-9]+)?|\.[0-9]+)([eE][+-]?[0-9]+)?%?/
DIGITS.3: /[0-9]+(?![0-9eE%dwmy])/
STRING: /"([^"\\\n]|\\.)*"/ | /'([^'\\\n]|\\.)*'/

%import common.WS
%ignore WS
"""

_PRECEDENCE = {"or": 1, "and": 2, "not": 3, "test": 4, "+": 5, "-": 5, "*": 6, "/": 6,
               "neg": 7, "postfix": 8}


# -- syntax tree -------------------------------------------------------------------------

@dataclass(frozen=True)
class Node:
    """Base of every syntax-tree node: ``start``/``end`` are offsets in the condition."""

    start: int = field(compare=False)
    end: int = field(compare=False)


@dataclass(frozen=True)
class Number(Node):
    """A number literal; ``20%`` is stored as ``0.2`` with ``percent=True``."""

    value: float
    percent: bool = False
    text: str = field(default="", compare=False)


@dataclass(frozen=True)
class String(Node):
    """A quoted string literal (the value without quotes, escapes resolved)."""

    value: str


@dataclass(frozen=True)
class Bool(Node):
    """``true`` or ``false``."""

    value: bool


@dataclass(frozen=True)
class Name(Node):
    """A bare name: a ticker or universe argument, or a function called without ``()``."""

    name: str


@dataclass(frozen=True)
class Window(Node):
    """A window literal such as ``10d``, ``3m`` (``rows`` is the count of trading rows)."""

    text: str
    rows: int


@dataclass(frozen=True)
class Call(Node):
    """``func(arg, ..., key=value)``; ``kwargs`` is a tuple of ``(name, node)`` pairs."""

    func: str
    args: tuple[Node, ...]
    kwargs: tuple[tuple[str, Node], ...] = ()
    explicit: bool = True  # False for a bare ``regime`` (a call without parentheses)
    kwarg_starts: tuple[int, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Attr(Node):
    """``obj.name`` (``name`` may be digits, as in ``pct_above_sma.50``)."""

    obj: Node
    name: str
    name_start: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Neg(Node):
    """Unary minus."""

    operand: Node


@dataclass(frozen=True)
class Arith(Node):
    """``left op right`` with op in ``+ - * /``."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Compare(Node):
    """``left op right`` with op a comparison or ``crosses_above``/``crosses_below``."""

    op: str
    left: Node
    right: Node
    op_start: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Changed(Node):
    """``operand changed``: true on each date the value differs from the previous one."""

    operand: Node


@dataclass(frozen=True)
class BoolOp(Node):
    """``left and right`` / ``left or right`` (three-valued: unknown propagates)."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Not(Node):
    """``not operand``."""

    operand: Node


@dataclass(frozen=True)
class SyntaxProblem:
    """Where a condition stops parsing (``offset`` in the text) and why."""

    offset: int
    message: str


class ConditionSyntaxError(ValueError):
    """Raised by :func:`parse_condition`; carries a :class:`SyntaxProblem`."""

    def __init__(self, problem: SyntaxProblem) -> None:
        self.problem = problem
        super().__init__(problem.message)


# -- parser ------------------------------------------------------------------------------

_UNITS = {"d": 1, "w": 5, "m": 21, "y": 252}


def _at(tok: Token) -> tuple[int, int]:
    """A token's (start, end) in the condition text (the lexer sets both on every token)."""
    if tok.start_pos is None or tok.end_pos is None:
        raise ValueError(f"token {str(tok)!r} has no position")
    return tok.start_pos, tok.end_pos


def _span(*items: Any) -> tuple[int, int]:
    starts, ends = [], []
    for it in items:
        if isinstance(it, Token):
            start, end = _at(it)
            starts.append(start)
            ends.append(end)
        elif isinstance(it, Node):
            starts.append(it.start)
            ends.append(it.end)
    return min(starts), max(ends)


def _unquote(text: str) -> str:
    # A string token is a valid Python string literal by construction of the regex
    # (no newlines; quotes and backslashes escaped); literal_eval never runs code.
    try:
        value = _pyast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text[1:-1]
    return value if isinstance(value, str) else text[1:-1]


class _ToAst(Transformer_NonRecursive):
    """Lark parse tree -> :class:`Node` tree (positions from the tokens)."""

    def number(self, items: list[Token]) -> Number:
        (tok,) = items
        text = str(tok)
        percent = text.endswith("%")
        value = float(text[:-1] if percent else text)
        return Number(*_at(tok), value / 100.0 if percent else value, percent,
                      text)

    def string(self, items: list[Token]) -> String:
        (tok,) = items
        return String(*_at(tok), _unquote(str(tok)))

    def true(self, items: list[Token]) -> Bool:
        return Bool(*_at(items[0]), True)

    def false(self, items: list[Token]) -> Bool:
        return Bool(*_at(items[0]), False)

    def window(self, items: list[Token]) -> Window:
        (tok,) = items
        text = str(tok)
        return Window(*_at(tok), text, int(text[:-1]) * _UNITS[text[-1]])

    def name(self, items: list[Token]) -> Name:
        (tok,) = items
        return Name(*_at(tok), str(tok))

    def arglist(self, items: list[Any]) -> list[Any]:
        return items

    def kwarg(self, items: list[Any]) -> tuple[str, Node, Token]:
        key, value = items
        return (str(key), value, key)

    def call(self, items: list[Any]) -> Call:
        name_tok, _lpar, args, rpar = items
        positional: list[Node] = []
        keywords: list[tuple[str, Node]] = []
        starts: list[int] = []
        for a in args or []:
            if isinstance(a, tuple):
                keywords.append((a[0], a[1]))
                starts.append(a[2].start_pos)
            else:
                positional.append(a)
        return Call(name_tok.start_pos, rpar.end_pos, str(name_tok), tuple(positional),
                    tuple(keywords), kwarg_starts=tuple(starts))

    def attr(self, items: list[Any]) -> Attr:
        obj, tok = items
        return Attr(obj.start, tok.end_pos, obj, str(tok), tok.start_pos)

    def neg(self, items: list[Any]) -> Node:
        op, operand = items
        if isinstance(operand, Number):  # fold "-0.2" into a literal
            text = operand.text[1:] if operand.text.startswith("-") else "-" + operand.text
            return Number(op.start_pos, operand.end, -operand.value, operand.percent, text)
        return Neg(op.start_pos, operand.end, operand)

    def arith(self, items: list[Any]) -> Arith:
        left, op, right = items
        return Arith(left.start, right.end, str(op), left, right)

    def compare(self, items: list[Any]) -> Compare:
        left, op, right = items
        return Compare(left.start, right.end, str(op), left, right, op.start_pos)

    def changed(self, items: list[Any]) -> Changed:
        operand, tok = items
        return Changed(operand.start, tok.end_pos, operand)

    def bool_op(self, items: list[Any]) -> BoolOp:
        left, op, right = items
        return BoolOp(left.start, right.end, str(op), left, right)

    def not_(self, items: list[Any]) -> Not:
        op, operand = items
        return Not(op.start_pos, operand.end, operand)


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return Lark(GRAMMAR, parser="lalr", maybe_placeholders=True)


_TERMINAL_TEXT = {
    "NUMBER": "a number", "STRING": "a string", "NAME": "a name", "WINDOW": "a window (10d, 3m)",
    "DIGITS": "digits", "COMPARE": "a comparison (<, <=, >, >=, ==, !=)",
    "CROSS": "crosses_above/crosses_below", "CHANGED": "'changed'", "OR": "'or'",
    "AND": "'and'", "NOT": "'not'", "TRUE": "'true'", "FALSE": "'false'", "ADD": "'+'",
    "SUB": "'-'", "MUL": "'*'", "DIV": "'/'", "LPAR": "'('", "RPAR": "')'", "COMMA": "','",
    "DOT": "'.'", "EQUAL": "'='", "$END": "the end of the condition",
}


def _expected(names: set[str]) -> str:
    texts = sorted({_TERMINAL_TEXT.get(n, n.lower()) for n in names if not n.startswith("__")})
    if not texts:
        return ""
    if len(texts) > 6:
        texts = texts[:6] + ["..."]
    return "; expected " + ", ".join(texts)


def _describe(token: Token) -> str:
    if token.type == "$END":
        return "end of condition"
    return repr(str(token))


def _problem(text: str, exc: UnexpectedInput) -> SyntaxProblem:
    if isinstance(exc, UnexpectedCharacters):
        pos = exc.pos_in_stream if exc.pos_in_stream is not None else len(text)
        ch = text[pos] if pos < len(text) else ""
        hint = ""
        if ch in "=!" :
            hint = " (comparisons are ==, !=, <, <=, >, >=)"
        elif ch in "&|":
            hint = " (use 'and' / 'or')"
        return SyntaxProblem(pos, f"unexpected character {ch!r}{hint}")
    if isinstance(exc, UnexpectedEOF):
        return SyntaxProblem(len(text.rstrip()), "the condition ends too early"
                             + _expected(set(exc.expected)))
    if isinstance(exc, UnexpectedToken):
        tok = exc.token
        if tok.type == "$END":
            return SyntaxProblem(len(text.rstrip()), "the condition ends too early"
                                 + _expected(set(exc.expected)))
        pos = tok.start_pos if tok.start_pos is not None else 0
        return SyntaxProblem(pos, f"unexpected {_describe(tok)}" + _expected(set(exc.expected)))
    return SyntaxProblem(getattr(exc, "pos_in_stream", 0) or 0, str(exc))


def parse_condition(text: str) -> Node:
    """Parse a condition into a syntax tree (nothing is evaluated).

    Parameters
    ----------
    text : str
        The condition, e.g. ``"ratio(MAGS, SPY).lowest_in_months >= 4"``.

    Returns
    -------
    Node
        The root of the tree; every node carries ``start``/``end`` offsets into ``text``.

    Raises
    ------
    ConditionSyntaxError
        With ``.problem.offset`` (where parsing stopped) and a message saying what was
        found and what was expected.

    Examples
    --------
    >>> tree = parse_condition("worst_decline(IBIT, 10) <= -20%")
    >>> tree.op, tree.left.func, tree.right.value
    ('<=', 'worst_decline', -0.2)
    >>> unparse(parse_condition("breadth(sp500).pct_above_sma.50 crosses_below 0.5"))
    'breadth(sp500).pct_above_sma.50 crosses_below 0.5'
    """
    if not isinstance(text, str) or not text.strip():
        raise ConditionSyntaxError(SyntaxProblem(0, "the condition is empty"))
    if len(text) > MAX_CHARS:
        raise ConditionSyntaxError(SyntaxProblem(
            MAX_CHARS, f"the condition is {len(text):,} characters long; at most "
                       f"{MAX_CHARS:,} are allowed (split it into several rules)"))
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as exc:
        raise ConditionSyntaxError(_problem(text, exc)) from None
    except RecursionError:  # pragma: no cover - the LALR parser is iterative
        raise ConditionSyntaxError(SyntaxProblem(0, "the condition is nested too deeply"
                                                 )) from None
    node = _ToAst().transform(tree)  # non-recursive: any depth is safe here
    _check_limits(node)
    if isinstance(node, Name):  # a bare name at top level is a call without arguments
        node = Call(node.start, node.end, node.name, (), (), explicit=False)
    return _bare_calls(node, top=True)


def _children(n: Node) -> list[Node]:
    if isinstance(n, Call):
        return [*n.args, *(v for _, v in n.kwargs)]
    if isinstance(n, Attr):
        return [n.obj]
    if isinstance(n, (Neg, Not, Changed)):
        return [n.operand]
    if isinstance(n, (Arith, Compare, BoolOp)):
        return [n.left, n.right]
    return []


def _check_limits(root: Node) -> None:
    """Refuse trees deeper than MAX_DEPTH or larger than MAX_TERMS (iteratively), so the
    recursive passes (check, evaluate, unparse) stay well inside Python's stack."""
    count = 0
    stack: list[tuple[Node, int]] = [(root, 1)]
    while stack:
        n, depth = stack.pop()
        count += 1
        if depth > MAX_DEPTH:
            raise ConditionSyntaxError(SyntaxProblem(
                n.start, f"the condition nests more than {MAX_DEPTH} levels deep here "
                         "(operators, calls or .fields; a chain of N 'or'/'and' terms is N "
                         "levels); split it into several rules"))
        if count > MAX_TERMS:
            raise ConditionSyntaxError(SyntaxProblem(
                n.start, f"the condition has more than {MAX_TERMS:,} terms; split it into "
                         "several rules"))
        stack.extend((c, depth + 1) for c in _children(n))


def _bare_calls(node: Node, top: bool = False) -> Node:
    """Turn bare names outside argument lists into argument-less calls (``regime``)."""
    if isinstance(node, Name):
        return Call(node.start, node.end, node.name, (), (), explicit=False)
    if isinstance(node, Call):
        return node  # arguments keep bare names: tickers, universes
    if isinstance(node, Attr):
        return Attr(node.start, node.end, _bare_calls(node.obj), node.name, node.name_start)
    if isinstance(node, (Neg, Not, Changed)):
        return type(node)(node.start, node.end, _bare_calls(node.operand))
    if isinstance(node, Arith):
        return Arith(node.start, node.end, node.op, _bare_calls(node.left),
                     _bare_calls(node.right))
    if isinstance(node, Compare):
        return Compare(node.start, node.end, node.op, _bare_calls(node.left),
                       _bare_calls(node.right), node.op_start)
    if isinstance(node, BoolOp):
        return BoolOp(node.start, node.end, node.op, _bare_calls(node.left),
                      _bare_calls(node.right))
    return node


# -- helpers -----------------------------------------------------------------------------

def walk(node: Node) -> list[Node]:
    """All nodes of the tree, parents before children."""
    out: list[Node] = []
    stack = [node]
    while stack:
        n = stack.pop()
        out.append(n)
        children: list[Node] = []
        if isinstance(n, Call):
            children = [*n.args, *(v for _, v in n.kwargs)]
        elif isinstance(n, Attr):
            children = [n.obj]
        elif isinstance(n, (Neg, Not, Changed)):
            children = [n.operand]
        elif isinstance(n, (Arith, Compare, BoolOp)):
            children = [n.left, n.right]
        stack.extend(reversed(children))
    return out


def _prec(node: Node) -> int:
    if isinstance(node, BoolOp):
        return _PRECEDENCE[node.op]
    if isinstance(node, Not):
        return _PRECEDENCE["not"]
    if isinstance(node, (Compare, Changed)):
        return _PRECEDENCE["test"]
    if isinstance(node, Arith):
        return _PRECEDENCE[node.op]
    if isinstance(node, Neg):
        return _PRECEDENCE["neg"]
    if isinstance(node, Number) and node.value < 0:
        return _PRECEDENCE["neg"]
    return _PRECEDENCE["postfix"]


def _fmt_number(node: Number) -> str:
    if node.text:
        return node.text
    if node.percent:
        return f"{node.value * 100.0!r}%"
    return repr(node.value)


def unparse(node: Node) -> str:
    """Canonical text of a tree (normalised spacing, minimal parentheses).

    ``parse_condition(unparse(t)) == t`` for every tree the parser produces.
    """
    def wrap(child: Node, min_prec: int) -> str:
        text = unparse(child)
        return f"({text})" if _prec(child) < min_prec else text

    if isinstance(node, Number):
        return _fmt_number(node)
    if isinstance(node, String):
        return '"' + node.value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(node, Bool):
        return "true" if node.value else "false"
    if isinstance(node, Name):
        return node.name
    if isinstance(node, Window):
        return node.text
    if isinstance(node, Call):
        if not node.explicit and not node.args and not node.kwargs:
            return node.func
        parts = [unparse(a) for a in node.args] + [f"{k}={unparse(v)}" for k, v in node.kwargs]
        return f"{node.func}({', '.join(parts)})"
    if isinstance(node, Attr):
        obj = unparse(node.obj)
        if _prec(node.obj) < _PRECEDENCE["postfix"] or isinstance(node.obj, (Number, String,
                                                                               Bool, Window)):
            obj = f"({obj})"
        return f"{obj}.{node.name}"
    if isinstance(node, Neg):
        return f"-{wrap(node.operand, _PRECEDENCE['neg'])}"
    if isinstance(node, Arith):
        p = _PRECEDENCE[node.op]
        # left-associative: the right operand needs parentheses at equal precedence
        return f"{wrap(node.left, p)} {node.op} {wrap(node.right, p + 1)}"
    if isinstance(node, Compare):
        p = _PRECEDENCE["test"]
        return f"{wrap(node.left, p + 1)} {node.op} {wrap(node.right, p + 1)}"
    if isinstance(node, Changed):
        return f"{wrap(node.operand, _PRECEDENCE['test'] + 1)} changed"
    if isinstance(node, BoolOp):
        p = _PRECEDENCE[node.op]
        return f"{wrap(node.left, p)} {node.op} {wrap(node.right, p + 1)}"
    if isinstance(node, Not):
        return f"not {wrap(node.operand, _PRECEDENCE['not'])}"
    raise TypeError(f"unparse(): not a syntax-tree node: {node!r}")
