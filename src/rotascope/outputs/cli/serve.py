"""``rotascope serve``: the web desk (pages and REST API) on one store."""

from __future__ import annotations

import click

from ._common import settings_of

__all__ = ["serve", "check_bind"]

EPILOG = """\b
Examples:
  rotascope serve                                  http://127.0.0.1:8000/
  rotascope serve --port 8765
  ROTASCOPE_TOKEN=$(openssl rand -hex 16) rotascope serve --host 0.0.0.0 \\
      --token-env ROTASCOPE_TOKEN

\b
Pages: overview, ratio explorer, RRG, breadth, sectors & leaders, signals, notes,
claim checker, alerts, portfolio, backtest. API: /api/v1/ (same JSON as each command's
--json), docs at /docs. The store is opened read-only, one request at a time, so
`rotascope watch` can keep updating it; open pages reload when it changes.
A non-loopback --host needs a token (--token-env NAME names the environment variable
holding it); every request then needs `Authorization: Bearer <token>` or the /login
cookie. See docs/web.md.
"""


def check_bind(host: str, token: str | None) -> None:
    """Refuse a non-loopback address without a token (ParameterError, exit code 2)."""
    from ...errors import ParameterError
    from ..web.security import is_loopback

    if not is_loopback(host) and not token:
        raise ParameterError(
            f"refusing to serve on {host}, which other machines can reach, without a token: "
            "set one in an environment variable and pass --token-env NAME (or use --host "
            "127.0.0.1)")


@click.command(epilog=EPILOG)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to bind (0: any free port).")
@click.option("--token-env", "token_env", default=None, metavar="NAME",
              help="Environment variable holding the access token (required for a "
                   "non-loopback --host).")
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["critical", "error", "warning", "info", "debug"]))
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, token_env: str | None,
          log_level: str) -> None:
    """Serve the research desk in a browser, and the REST API, from the store."""
    import os

    from ...errors import ParameterError

    token = None
    if token_env:
        token = os.environ.get(token_env) or None
        if token is None:
            raise ParameterError(f"--token-env {token_env}: that environment variable is "
                                 "not set or empty")
    check_bind(host, token)
    try:
        import uvicorn

        from ..web.app import create_app
    except ImportError as exc:  # pragma: no cover - the web extras are dependencies
        raise click.ClickException(f"the web desk needs fastapi and uvicorn ({exc})") from exc
    app = create_app(settings_of(ctx), token=token)
    auth = "token required" if token else "no token (loopback only)"
    click.echo(f"rotascope desk on http://{host}:{port}/ ({auth}); API docs at /docs",
               err=True)
    # open event streams end within seconds of Ctrl+C instead of holding the shutdown
    uvicorn.run(app, host=host, port=port, log_level=log_level, server_header=False,
                timeout_graceful_shutdown=3)
