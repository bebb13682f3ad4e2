"""Run-time configuration: where the store lives and which universes exist.

Configuration is a frozen dataclass built at the edge (CLI, web, tests) and passed
down; nothing reads environment variables deep inside the library.

``$ROTASCOPE_HOME`` (default ``~/.rotascope``) holds:

- ``store.duckdb``      the embedded store (prices, instruments, universes, provenance)
- ``universes.yaml``    optional user universes, merged over the built-in ones
- ``config.yaml``       optional settings (provider keys by env-var name, regime rules, ...)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Settings", "default_home"]


def default_home() -> Path:
    """``$ROTASCOPE_HOME`` if set, else ``~/.rotascope``."""
    env = os.environ.get("ROTASCOPE_HOME")
    return Path(env).expanduser() if env else Path.home() / ".rotascope"


@dataclass(frozen=True)
class Settings:
    """Where rotascope keeps its state.

    Parameters
    ----------
    home : Path
        Folder for the store and user configuration; created on first write.
    """

    home: Path = field(default_factory=default_home)

    @property
    def store_path(self) -> Path:
        return self.home / "store.duckdb"

    @property
    def universes_path(self) -> Path:
        return self.home / "universes.yaml"

    @property
    def config_path(self) -> Path:
        return self.home / "config.yaml"

    @classmethod
    def from_env(cls) -> Settings:
        return cls(home=default_home())
