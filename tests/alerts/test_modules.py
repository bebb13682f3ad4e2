"""Module hygiene: exact __all__, docstring examples run."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["rotascope.rules.grammar", "rotascope.rules.functions", "rotascope.rules.evaluate",
           *(f"rotascope.outputs.alerts.{m}" for m in ("rules", "state", "channels", "runner"))]


@pytest.mark.parametrize("name", MODULES)
def test_all_names_exist_and_are_documented(name):
    module = importlib.import_module(name)
    assert module.__doc__ and len(module.__doc__) > 200
    for attr in module.__all__:
        obj = getattr(module, attr)
        if callable(obj) and not isinstance(obj, type(doctest)):
            assert getattr(obj, "__doc__", None), f"{name}.{attr} has no docstring"


@pytest.mark.parametrize("name, at_least", [("rotascope.rules.grammar", 2),
                                             ("rotascope.rules.evaluate", 2),
                                             ("rotascope.outputs.alerts.runner", 1)])
def test_doctests(name, at_least):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted >= at_least
