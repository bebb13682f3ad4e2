"""Where a problem in a user file is (``path:line:column``) and how it is shown.

Shared by every file of conditions: alert rules, strategies and named scans.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Location", "Problem"]


@dataclass(frozen=True)
class Location:
    """``path:line:column`` (both 1-based)."""

    path: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Problem:
    """One problem in a file, with the source line it is on (shown with a caret)."""

    location: Location
    message: str
    source_line: str | None = None
    width: int = 1

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}"
        if self.source_line is not None:
            line = self.source_line.rstrip("\n")
            col = self.location.column - 1
            width = max(1, min(self.width, len(line) - col))
            text += f"\n    {line}\n    {' ' * col}{'^' * width}"
        return text
