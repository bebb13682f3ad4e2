"""The top-level API is exactly what __all__ lists, and every name resolves lazily."""

from __future__ import annotations

import subprocess
import sys

import rotascope


def test_all_names_resolve() -> None:
    for name in rotascope.__all__:
        assert getattr(rotascope, name) is not None, name


def test_all_is_exact() -> None:
    public = {n for n in dir(rotascope) if not n.startswith("_")} | {"__version__"}
    assert set(rotascope.__all__) == public


def test_import_is_light() -> None:
    # `import rotascope` must not pull in numba, the store or plotting (fast CLI start).
    code = ("import sys, rotascope; heavy = [m for m in ('numba', 'duckdb', 'matplotlib', "
            "'plotly') if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
