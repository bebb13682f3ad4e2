"""The layers import one way (docs/architecture.md): checked on the source, not by hand.

* analysis/ and signals/ never import rotascope.data or rotascope.outputs (top level or
  inside functions, TYPE_CHECKING included), and analysis/ never imports the condition
  language (rules/) or what is built on it (backtest/, scan/);
* outputs/ never imports rotascope.signals and holds no "rotascope.signals..." import
  strings: it reaches indicators through rotascope.analysis;
* Settings.from_env (the environment) is read only in outputs/ and config.py.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "rotascope"


def _modules(folder: str, root: Path = SRC) -> list[Path]:
    return sorted((root / folder).rglob("*.py"))


def _imports(path: Path, root: Path = SRC) -> list[tuple[int, str]]:
    """(line, absolute module) of every import in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(("rotascope", *path.relative_to(root).parent.parts))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, a.name) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                mod = ".".join([*base, node.module] if node.module else base)
            else:
                mod = node.module or ""
            found.append((node.lineno, mod))
            found.extend((node.lineno, f"{mod}.{a.name}") for a in node.names)
    return found


def _offenders(folder: str, banned: tuple[str, ...], root: Path = SRC) -> list[str]:
    bad = []
    for path in _modules(folder, root):
        for line, mod in _imports(path, root):
            if any(mod == b or mod.startswith(b + ".") for b in banned):
                bad.append(f"{path.relative_to(root)}:{line} imports {mod}")
    return bad


@pytest.mark.parametrize("folder", ["analysis", "signals"])
def test_analysis_and_signals_never_import_data_or_outputs(folder: str) -> None:
    assert _offenders(folder, ("rotascope.data", "rotascope.outputs")) == []


def test_analysis_sits_below_the_condition_language() -> None:
    """rules/ calls analysis (ratio, breadth, regime); what uses conditions (backtests,
    scans) lives above rules, never inside analysis/."""
    assert _offenders("analysis", ("rotascope.rules", "rotascope.backtest",
                                   "rotascope.scan")) == []


def test_signals_import_only_their_own_kind() -> None:
    assert _offenders("signals", ("rotascope.analysis", "rotascope.rules",
                                  "rotascope.market_view", "rotascope.config")) == []


def test_outputs_never_import_signals() -> None:
    assert _offenders("outputs", ("rotascope.signals",)) == []
    strings = [f"{p.relative_to(SRC)}" for p in _modules("outputs")
               if '"rotascope.signals.' in p.read_text(encoding="utf-8").replace(
                   "(rotascope.signals.", "")]
    assert strings == []


def test_the_environment_is_read_at_the_edge_only() -> None:
    bad = [f"{p.relative_to(SRC)}" for p in SRC.rglob("*.py")
           if "from_env(" in p.read_text(encoding="utf-8")
           and p.relative_to(SRC).parts[0] not in ("outputs", "config.py")]
    assert bad == []


def test_the_checker_sees_a_violation(tmp_path: Path) -> None:
    """The import scan itself works: relative and in-function imports are found."""
    probe = tmp_path / "analysis" / "x.py"
    probe.parent.mkdir()
    probe.write_text("def f():\n    from ..data import store\n", encoding="utf-8")
    assert _offenders("analysis", ("rotascope.data",), root=tmp_path) == [
        "analysis/x.py:2 imports rotascope.data", "analysis/x.py:2 imports rotascope.data.store"]


def test_scans_sit_below_the_outputs_and_above_the_rules() -> None:
    """scan/ (built on rules/) never imports outputs/; rules/ never imports scan/."""
    assert _offenders("scan", ("rotascope.outputs",)) == []
    assert _offenders("rules", ("rotascope.scan", "rotascope.backtest")) == []
