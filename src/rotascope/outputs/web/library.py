"""Files the server may read by name: stored notes, rules, portfolios, strategies.

A name from a request is resolved inside its folder under $ROTASCOPE_HOME and refused
when the resolved path (symlinks followed) leaves that folder, so ``../`` or a link
pointing elsewhere can never reach another file.
"""

from __future__ import annotations

from pathlib import Path

from ...config import Settings
from ...errors import DataError, ParameterError

__all__ = ["NotFoundError", "FOLDERS", "folder", "resolve_inside", "library_file", "list_files"]

#: kind -> (folder under $ROTASCOPE_HOME, file suffixes listed)
FOLDERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "reports": ("reports", (".html", ".md", ".json")),
    "alerts": ("alerts", (".yaml", ".yml")),
    "portfolios": ("portfolios", (".csv", ".yaml", ".yml")),
    "strategies": ("strategies", (".yaml", ".yml")),
}


def folder(settings: Settings, kind: str) -> Path:
    return settings.home / FOLDERS[kind][0]


class NotFoundError(DataError):
    """A named file that is not in its folder (exit code 3, HTTP 404)."""


def resolve_inside(base: Path, name: str) -> Path:
    """``base/name`` resolved; ParameterError when it is outside ``base``."""
    if not name or "\x00" in name:
        raise ParameterError("a file name is required")
    root = base.resolve()
    target = (root / name).resolve()
    if target != root and root not in target.parents:
        raise ParameterError(f"{name!r} is outside the {base.name} folder")
    return target


def library_file(settings: Settings, kind: str, name: str) -> Path:
    """The existing file ``name`` of folder ``kind`` (see :data:`FOLDERS`)."""
    base = folder(settings, kind)
    path = resolve_inside(base, name)
    if not path.is_file():
        raise NotFoundError(f"no file {name!r} in {base}")
    return path


def list_files(settings: Settings, kind: str) -> list[str]:
    """Names (relative to the folder) of the files of ``kind``, newest folder first."""
    base = folder(settings, kind)
    if not base.is_dir():
        return []
    root = base.resolve()
    suffixes = FOLDERS[kind][1]
    out = []
    for p in sorted(base.rglob("*"), reverse=True):
        if p.suffix.lower() in suffixes and p.is_file():
            try:
                rel = p.resolve().relative_to(root)
            except ValueError:  # a link leading outside: not listed, not served
                continue
            out.append(rel.as_posix())
    return out
