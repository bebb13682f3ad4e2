"""Alerts: declarative rules that fire once, are delivered reliably, and can be backtested.

The condition language itself (grammar, type checks, evaluation, the function
registry) is :mod:`rotascope.rules`, shared with scans and strategies.

* :mod:`.rules`     YAML rules files (safe loading, validation, file:line:column errors)
* :mod:`.state`     edge state, outbox and deliveries in the store
* :mod:`.channels`  console, JSON lines, signed webhook, email
* :mod:`.runner`    check, backtest, run and watch

See ``docs/alerts.md``.
"""

from __future__ import annotations

from .rules import RuleSet, RulesFileError, load_rules
from .runner import backtest, check, run

__all__ = ["RuleSet", "RulesFileError", "load_rules", "backtest", "check", "run"]
