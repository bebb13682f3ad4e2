"""The condition language shared by alerts, scans and strategies.

* :mod:`.grammar`   parse a condition (Lark LALR grammar -> syntax tree), unparse it
* :mod:`.functions` the functions a condition may call (indicators from
  :mod:`rotascope.signals.registry`, plus ratio, range, breadth, regime records) and the
  :class:`EvalContext` they read: a market view
* :mod:`.evaluate`  static type checks with located problems, vectorised evaluation over
  whole histories, edge detection

Nothing here is ever ``eval``'d: conditions are parsed and interpreted.
"""

from __future__ import annotations

from .evaluate import CheckInfo, Evaluation, check_condition, edges, evaluate, values_at
from .functions import REGISTRY, EvalContext, FunctionSpec, function_names
from .grammar import ConditionSyntaxError, parse_condition, unparse, walk

__all__ = ["CheckInfo", "ConditionSyntaxError", "EvalContext", "Evaluation", "FunctionSpec",
           "REGISTRY", "check_condition", "edges", "evaluate", "function_names",
           "parse_condition", "unparse", "values_at", "walk"]
