"""The web desk: REST API (``/api/v1/``) and server-rendered pages over one store.

Start it with ``rotascope serve``; build the app with :func:`create_app`.
"""

from __future__ import annotations

__all__ = ["create_app"]


def __getattr__(name: str) -> object:
    if name == "create_app":  # FastAPI is imported only when the web desk is used
        from .app import create_app

        return create_app
    raise AttributeError(name)
