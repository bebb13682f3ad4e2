"""``rotascope watch``: update data and run the alerts on a schedule until stopped."""

from __future__ import annotations

import signal
import sys
import threading
from typing import Any

import click

from ._common import settings_of

__all__ = ["watch"]

EPILOG = """\b
Examples:
  rotascope watch examples/alerts/rotation.yaml               every hour
  rotascope watch --every 15m examples/alerts/rotation.yaml
  rotascope watch --every 1d --no-update rules.yaml           alerts only
  rotascope watch --scans scans.yaml rules.yaml               also the named scans

Each cycle updates the store (rotascope.data.updater), then runs `alerts run`. The
store is closed between cycles. SIGTERM or Ctrl-C stops cleanly: the current step
finishes (or its retry wait is cut short), pending alerts stay in the outbox for the
next start, and the exit code is 0. A second signal aborts at once.
"""


@click.command(epilog=EPILOG)
@click.argument("rules", type=click.Path(dir_okay=False))
@click.option("--every", default="1h", show_default=True, metavar="INTERVAL",
              help="Time between cycles: 90s, 15m, 1h, 1d.")
@click.option("--no-update", is_flag=True, help="Do not update data; only run the alerts.")
@click.option("-v", "--verbose", is_flag=True, help="Log each firing and delivery step.")
@click.option("--scans", "scans", type=click.Path(dir_okay=False),
              help="Also run the named scans of this file after each update.")
@click.pass_context
def watch(ctx: click.Context, rules: str, every: str, no_update: bool, verbose: bool,
          scans: str | None) -> None:
    """Update data, run the alert RULES, and repeat every INTERVAL until stopped."""
    from ...data.store import Store
    from ..alerts.rules import load_rules
    from ..alerts.runner import parse_every
    from ..alerts.runner import watch as run_watch
    from .alerts import setup_logging

    seconds = parse_every(every)
    settings = settings_of(ctx)
    setup_logging(verbose)
    stop = threading.Event()

    def echo(msg: str) -> None:
        click.echo(msg, err=True)

    # Validate once before looping, so a malformed file fails fast (exit code 6).
    with Store(settings.store_path, read_only=True) as store:
        store.require_data()
        load_rules(rules, store=store, settings=settings)
        if scans:
            from .scan import run_named_scans

            run_named_scans(store, settings, scans, lambda _msg: None)

    def on_signal(signum: int, frame: Any) -> None:
        if stop.is_set():  # second signal: give up at once
            raise KeyboardInterrupt
        echo(f"received {signal.Signals(signum).name}; stopping after the current step")
        stop.set()

    update: Any = not no_update
    if scans:
        update = _then_scans(update, scans, settings, echo)
    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        echo(f"watching {rules} every {every} (store {settings.store_path})")
        run_watch(rules, lambda: Store(settings.store_path, wait=60.0), every=seconds,
                  stop=stop, echo=echo, settings=settings,
                  update=update)
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
    echo("stopped")
    sys.stderr.flush()


def _then_scans(update: bool, path: str, settings: Any, echo: Any) -> Any:
    """The cycle's update step followed by the named scans (errors reported, not fatal)."""
    from ...errors import RotascopeError
    from ..alerts.runner import _updater
    from .scan import run_named_scans

    updater = _updater() if update else None

    class _Done:
        def __init__(self, result: Any) -> None:
            self.result = result

        def summary(self) -> str:
            inner = getattr(self.result, "summary", None)
            return inner() if callable(inner) else ("done" if update else "skipped")

    def step(store: Any) -> Any:
        result = updater(store) if updater is not None else None
        try:
            run_named_scans(store, settings, path, echo)
        except RotascopeError as exc:
            echo(f"scans failed: {exc}")
        return _Done(result)
    return step
