"""The Jinja2 environment of the pages (autoescape on for every template and string)."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from markupsafe import Markup

__all__ = ["environment", "render", "NAV", "fig_json"]

NAV: tuple[tuple[str, str], ...] = (
    ("/", "overview"), ("/ratio", "ratio"), ("/rrg", "RRG"), ("/breadth", "breadth"),
    ("/leaders", "sectors & leaders"), ("/signals", "signals"), ("/notes", "notes"),
    ("/check", "claim checker"), ("/alerts", "alerts"), ("/portfolio", "portfolio"),
    ("/backtest", "backtest"), ("/docs", "API"),
)


def fig_json(fig: Any) -> Markup:
    """A figure as JSON safe inside <script type="application/json">: ``<``, ``>`` and
    ``&`` become \\u escapes, so no text in it can close the script element."""
    from ..jsonout import dumps

    text = dumps(fig) if not isinstance(fig, str) else fig
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def _pct(x: Any, digits: int = 1, sign: bool = True) -> str:
    if x is None or (isinstance(x, float) and x != x):
        return "n/a"
    return f"{x * 100:+.{digits}f}%" if sign else f"{x * 100:.{digits}f}%"


def _num(x: Any, digits: int = 2) -> str:
    if x is None or (isinstance(x, float) and x != x):
        return "n/a"
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, int):
        return f"{x:,d}"
    if isinstance(x, float):
        return f"{x:,.{digits}f}" if abs(x) >= 1e-3 or x == 0 else f"{x:.4g}"
    return str(x)


def _sign(x: Any) -> str:
    if not isinstance(x, int | float) or x != x:
        return ""
    return "pos" if x > 0 else "neg" if x < 0 else ""


@lru_cache(maxsize=1)
def environment() -> Any:
    from jinja2 import Environment, PackageLoader

    env = Environment(loader=PackageLoader("rotascope.outputs.web", "templates"),
                      autoescape=True, trim_blocks=True,
                      lstrip_blocks=True)
    env.filters.update(pct=_pct, num=_num, sign=_sign, fig=fig_json,
                       tojson_pretty=lambda v: json.dumps(v, indent=1, default=str))
    env.tests["mapping"] = lambda v: isinstance(v, dict)
    env.tests["sequence_"] = lambda v: isinstance(v, list | tuple)
    return env


def render(template: str, **context: Any) -> str:
    context.setdefault("nav", NAV)
    context.setdefault("charts", False)
    context.setdefault("cutoff", None)
    context.setdefault("as_of_form", False)
    context.setdefault("as_of", None)
    context.setdefault("keep", {})
    context.setdefault("active", "")
    return environment().get_template(template).render(**context)  # type: ignore[no-any-return]
