"""RotascopeError -> HTTP status and the JSON error body the API returns."""

from __future__ import annotations

from typing import Any

from ...errors import (
    EXIT_DATA,
    EXIT_FINDINGS,
    EXIT_INTERNAL,
    EXIT_NETWORK,
    EXIT_RULES,
    EXIT_STORE,
    EXIT_USAGE,
    FileFormatError,
    RotascopeError,
    StoreBusyError,
)

__all__ = ["http_status", "error_body"]

_BY_EXIT = {EXIT_USAGE: 400, EXIT_DATA: 404, EXIT_STORE: 503, EXIT_NETWORK: 502,
            EXIT_RULES: 422, EXIT_FINDINGS: 200, EXIT_INTERNAL: 500}


def http_status(exc: RotascopeError) -> int:
    """400 bad argument, 404 unknown ticker/universe or no data, 409 store busy, 422 rule
    error (the CLI's exit-code classes); a malformed file is a bad argument (400)."""
    if isinstance(exc, StoreBusyError):
        return 409
    if isinstance(exc, FileFormatError):
        return 400
    return _BY_EXIT.get(exc.exit_code, 500)


def error_body(message: str, exit_code: int) -> dict[str, Any]:
    """``{"error": message, "exit_code": n}``: the CLI's message and exit code."""
    return {"error": message, "exit_code": exit_code}
