"""Orchestration: check (true now?), backtest (when would it have fired?), run, watch.

All four evaluate every rule's condition once over its whole history up to the
evaluation date (vectorised; see :mod:`.evaluate`) and then read what they need:

``check``     the value on the last date each condition is known (<= as-of).
``backtest``  the edges (false -> true) between two dates. The state before the first
              date comes from the history itself, so a condition already true on the
              first date does not fire on it.
``run``       the edges after each rule's stored state, up to the as-of date, written
              with the new state to the outbox in one transaction, then delivered.
``watch``     update data, ``run``, sleep, until stopped.

``run`` uses the same edges as ``backtest``: processing the dates one at a time, or
all at once after a gap, fires on the same dates (a property test checks it).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import pandas as pd

from ...errors import NoDataError, ParameterError, RotascopeError
from ...rules.evaluate import Evaluation, edges, evaluate, values_at
from ...rules.functions import EvalContext
from .channels import Channel, DeliveryError, make_channel, redact
from .rules import Rule, RuleSet, load_rules
from .state import AlertStore, DeliveryLog, Firing, PendingDelivery, RuleState, alert_id

__all__ = ["CheckRow", "CheckResult", "BacktestResult", "DeliveryReport", "RunResult",
           "evaluate_rules", "check", "backtest", "fire", "deliver", "run", "watch",
           "parse_every", "logger", "MAX_STALE_DAYS"]

logger = logging.getLogger("rotascope.alerts")

#: A condition last known more than this many calendar days before the as-of date is
#: reported as unknown by ``check`` (its data stopped).
MAX_STALE_DAYS = 7


def _iso(d: pd.Timestamp | None) -> str | None:
    return None if d is None or pd.isna(d) else pd.Timestamp(d).strftime("%Y-%m-%d")


def regime_rules_of(settings: Any) -> Any:
    """The regime rules ``regime()`` conditions read: $ROTASCOPE_HOME/regime.yaml when
    it exists, else the built-in rules."""
    from pathlib import Path

    from ...analysis.regime import load_rules

    home = getattr(settings, "home", None)
    user = Path(home) / "regime.yaml" if home is not None else None
    return load_rules(user if user is not None and user.exists() else None)


# -- evaluation --------------------------------------------------------------------------

def evaluate_rules(ruleset: RuleSet, store: Any, end: pd.Timestamp | None,
                   settings: Any = None) -> dict[str, Evaluation]:
    """Every rule's condition over its history up to ``end`` (one shared context).

    Parameters
    ----------
    ruleset : a validated :class:`~rotascope.outputs.alerts.rules.RuleSet`.
    store : an open store (read-only is enough).
    end : the evaluation date (nothing after it is read); None reads everything.
    settings : where user universes and regime rules live.

    Returns
    -------
    dict
        rule id -> :class:`~rotascope.rules.evaluate.Evaluation`.
    """
    from ...market_view import MarketView

    store.require_data()
    day = end if end is not None else store.last_date()
    ctx = EvalContext(MarketView.open(store, settings, as_of=day),
                      regime_rules=regime_rules_of(settings))
    ctx.prefetch(ruleset.tickers())
    return {rule.id: evaluate(rule.tree, ctx) for rule in ruleset.rules}


def _as_of(store: Any, as_of: Any) -> pd.Timestamp:
    if as_of is not None:
        return pd.Timestamp(as_of).normalize()
    last = store.last_date()
    if last is None:
        store.require_data()
        raise NoDataError("the store holds no prices")
    return pd.Timestamp(last).normalize()


# -- check -------------------------------------------------------------------------------

@dataclass(frozen=True)
class CheckRow:
    """One rule's state on the as-of date."""

    id: str
    description: str
    severity: str
    true: bool | None          # None: unknown (an input has no value, e.g. no range)
    date: pd.Timestamp | None  # the date the value was read (the last known one)
    since: pd.Timestamp | None  # when true: the date it last became true
    values: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "description": self.description, "severity": self.severity,
                "true": self.true, "date": _iso(self.date), "since": _iso(self.since),
                "values": self.values}


@dataclass(frozen=True)
class CheckResult:
    """Which rules are true as of a date."""

    as_of: pd.Timestamp
    rules: tuple[CheckRow, ...]

    @property
    def any_true(self) -> bool:
        return any(r.true for r in self.rules)

    def to_dict(self) -> dict[str, Any]:
        return {"as_of": _iso(self.as_of), "rules": [r.to_dict() for r in self.rules]}


def check(ruleset: RuleSet, store: Any, as_of: Any = None, settings: Any = None
          ) -> CheckResult:
    """Evaluate every rule as of a date (nothing is fired or stored).

    Parameters
    ----------
    ruleset : the validated rules.
    store : an open store (read-only is enough).
    as_of : the date (default: the store's last date); nothing after it is read.
    settings : where user universes and regime rules live.

    Returns
    -------
    CheckResult
        Per rule: ``true`` on the last date its condition is known (at most
        :data:`MAX_STALE_DAYS` before ``as_of``; otherwise None, with the inputs on the
        last date so the missing one shows), that date, since when it has been true
        (its last edge), and the values its comparisons read.
    """
    day = _as_of(store, as_of)
    evals = evaluate_rules(ruleset, store, day, settings)
    rows = []
    for rule in ruleset.rules:
        ev = evals[rule.id]
        known = ev.result[ev.result.notna()]
        value: bool | None = None
        date = since = None
        vals: dict[str, Any] = {}
        if len(known) and (day - known.index[-1]).days <= MAX_STALE_DAYS:
            date = known.index[-1]
            value = bool(known.iloc[-1])
            vals = values_at(ev.trace, date)
            if value:
                fired = edges(ev.result)
                since = fired[-1] if len(fired) else None
        elif len(ev.result) and (day - ev.result.index[-1]).days <= MAX_STALE_DAYS:
            # unknown: show the inputs on the last date, so the missing one is visible
            date = ev.result.index[-1]
            vals = values_at(ev.trace, date)
        rows.append(CheckRow(rule.id, rule.description, rule.severity, value, date, since, vals))
    return CheckResult(day, tuple(rows))


# -- backtest ----------------------------------------------------------------------------

@dataclass(frozen=True)
class BacktestResult:
    """Every date each rule would have fired between ``start`` and ``end``."""

    start: pd.Timestamp
    end: pd.Timestamp
    fired: Mapping[str, tuple[pd.Timestamp, ...]]

    def to_dict(self) -> dict[str, Any]:
        """``{"rules": [{"id": ..., "fired": ["YYYY-MM-DD", ...]}]}`` in rule order."""
        return {"rules": [{"id": rid, "fired": [_iso(d) for d in dates]}
                          for rid, dates in self.fired.items()]}


def backtest(ruleset: RuleSet, store: Any, start: Any, end: Any, settings: Any = None
             ) -> BacktestResult:
    """Edge-triggered firings of every rule with ``start <= date <= end``.

    Parameters
    ----------
    ruleset : the validated rules.
    store : an open store (read-only is enough).
    start, end : the first and last date reported (inclusive); nothing after ``end``
        is read.
    settings : where user universes and regime rules live.

    Returns
    -------
    BacktestResult
        rule id -> the dates it fires, in rule order (``to_dict()`` gives the CLI's JSON).

    Raises
    ------
    ParameterError
        ``start`` is after ``end``.

    Notes
    -----
    The conditions are evaluated over their whole history up to ``end``; the state
    before ``start`` is whatever that history says, so a condition that became true
    before ``start`` and is still true does not fire on ``start``. The dates equal
    those a daily :func:`run` from ``start`` to ``end`` fires (a property test).
    """
    d1 = pd.Timestamp(start).normalize()
    d2 = pd.Timestamp(end).normalize()
    if d1 > d2:
        raise ParameterError(f"alerts backtest: --from {_iso(d1)} is after --to {_iso(d2)}")
    evals = evaluate_rules(ruleset, store, d2, settings)
    fired: dict[str, tuple[pd.Timestamp, ...]] = {}
    for rule in ruleset.rules:
        dates = edges(evals[rule.id].result)
        fired[rule.id] = tuple(dates[(dates >= d1) & (dates <= d2)])
    return BacktestResult(d1, d2, fired)


# -- run ---------------------------------------------------------------------------------

def _payload(ruleset: RuleSet, rule: Rule, aid: str, date: pd.Timestamp,
             ev: Evaluation, now: str) -> dict[str, Any]:
    return {"alert_id": aid, "namespace": ruleset.namespace, "rule": rule.id,
            "description": rule.description, "severity": rule.severity,
            "condition": " ".join(rule.condition.split()), "date": _iso(date),
            "fired_at": now, "values": values_at(ev.trace, date)}


def _new_edges(rule: Rule, ev: Evaluation, state: RuleState | None, day: pd.Timestamp
               ) -> tuple[pd.DatetimeIndex, RuleState]:
    known = ev.result[ev.result.notna()]
    known = known[known.index <= day]
    if state is None or state.condition_hash != rule.condition_hash:
        # A new (or edited) rule: its state before the as-of date comes from history.
        before = known[known.index < day]
        prev_date = before.index[-1] if len(before) else None
        prev_value = bool(before.iloc[-1]) if len(before) else None
        checked = None
    else:
        prev_date, prev_value, checked = state.known_date, state.known_value, state.checked_through
    new = known if prev_date is None else known[known.index > prev_date]
    fired = edges(new, prev=prev_value)
    if len(new):
        prev_date, prev_value = new.index[-1], bool(new.iloc[-1])
    checked = day if checked is None else max(day, checked)
    return fired, RuleState(rule.id, rule.condition_hash, prev_date, prev_value, checked)


def fire(ruleset: RuleSet, store: Any, as_of: Any = None, settings: Any = None
         ) -> tuple[pd.Timestamp, list[Firing]]:
    """Evaluate, and commit new edge states and fired alerts to the outbox atomically.

    Returns the as-of date and the alerts this call added to the outbox (an alert
    already there is not added again).
    """
    alerts = AlertStore(store)
    day = _as_of(store, as_of)
    evals = evaluate_rules(ruleset, store, day, settings)
    states = alerts.states(ruleset.namespace)
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    new_states: list[RuleState] = []
    firings: list[Firing] = []
    for rule in ruleset.rules:
        ev = evals[rule.id]
        dates, new_state = _new_edges(rule, ev, states.get(rule.id), day)
        new_states.append(new_state)
        for d in dates:
            aid = alert_id(ruleset.namespace, rule.id, d, rule.condition_hash)
            firings.append(Firing(aid, rule.id, d, rule.severity, rule.channels,
                                  _payload(ruleset, rule, aid, d, ev, now)))
    inserted = alerts.commit_run(ruleset.namespace, new_states, firings)
    if inserted != len(firings):
        logger.info("%d of %d firings were already in the outbox", len(firings) - inserted,
                    len(firings))
    for f in firings:
        logger.info("fired %s on %s (%s)", f.rule_id, _iso(f.date), f.severity)
    return day, firings


@dataclass
class DeliveryReport:
    """What one delivery pass did: confirmed, failed (redacted messages), still pending."""

    delivered: int = 0
    failed: list[str] = field(default_factory=list)
    pending: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"delivered": self.delivered, "failed": list(self.failed),
                "pending": self.pending}


class _Interrupted(Exception):
    """Raised by an interruptible sleep when the caller asks to stop."""


def deliver(ruleset: RuleSet, store: Any, *, env: Mapping[str, str] | None = None,
            console_stream: TextIO | None = None, sleep: Callable[[float], None] = time.sleep,
            stop: threading.Event | None = None) -> DeliveryReport:
    """Send every pending delivery of the rules' namespace; one worker per channel.

    A channel that fails after its retries is not tried again for the rest of this
    pass (its later alerts stay pending for the next run); the other channels carry
    on. Each confirmation is committed by the channel's worker, on its own connection,
    as soon as the channel confirms and before it sends the next alert: a kill can
    repeat at most the one delivery per channel in flight (see docs/alerts.md).
    """
    alerts = AlertStore(store)
    report = DeliveryReport()
    pending = alerts.pending(ruleset.namespace)
    by_channel: dict[str, list[PendingDelivery]] = {}
    for p in pending:
        by_channel.setdefault(p.channel, []).append(p)
    channels: dict[str, Channel] = {}
    secrets: list[str] = []
    for name in by_channel:
        config = ruleset.channels.get(name)
        if config is None:
            msg = (f"channel {name!r} is no longer defined in {ruleset.path}; "
                   f"{len(by_channel[name])} alert(s) stay pending for it")
            logger.warning(msg)
            report.failed.append(msg)
            report.pending += len(by_channel[name])
            continue
        ch = make_channel(config, env=env, console_stream=console_stream,
                          sleep=_stoppable(sleep, stop))
        channels[name] = ch
        secrets.extend(ch.secrets())

    # (delivery, error message or None when confirmed and committed)
    results: queue.Queue[tuple[PendingDelivery, str | None] | None] = queue.Queue()

    def message(delivery: PendingDelivery, error: str) -> str:
        return redact(f"alert {delivery.payload.get('rule')} ({delivery.payload.get('date')})"
                      f" -> {delivery.channel}: {error}", secrets)

    def work(ch: Channel, items: list[PendingDelivery], log: DeliveryLog) -> None:
        def failed(item: PendingDelivery, attempts: int, error: str) -> None:
            text = message(item, error)
            if attempts:
                try:
                    log.failed(item.delivery_id, attempts, text)
                except Exception as exc:  # the store is gone: the delivery stays pending
                    logger.warning("could not record a failed attempt: %s",
                                   type(exc).__name__)
                logger.warning("delivery failed, will retry on the next run: %s", text)
            results.put((item, text))

        try:
            for i, item in enumerate(items):
                if stop is not None and stop.is_set():
                    for rest in items[i:]:
                        failed(rest, 0, "not attempted: shutting down")
                    break
                try:
                    attempts = ch.send(item.payload, item.delivery_id)
                except DeliveryError as exc:
                    failed(item, exc.attempts, str(exc))
                    if exc.retryable:  # the channel is down: keep the rest for the next run
                        for rest in items[i + 1:]:
                            failed(rest, 0, f"{ch.describe()} unavailable; not attempted")
                        break
                    continue
                except _Interrupted:
                    for rest in items[i:]:
                        failed(rest, 1, "interrupted by shutdown")
                    break
                except Exception as exc:  # a bug in a channel must not sink the others
                    failed(item, 1, f"{ch.describe()}: unexpected {type(exc).__name__}")
                    continue
                # Confirmed: commit it now, before anything else is sent on this channel.
                try:
                    log.delivered(item.delivery_id, attempts)
                except Exception as exc:
                    results.put((item, message(item, "confirmed by the channel but not "
                                               f"recorded ({type(exc).__name__}); it will be "
                                               "sent again with the same delivery id")))
                    for rest in items[i + 1:]:
                        results.put((rest, message(rest, "not attempted: store error")))
                    break
                results.put((item, None))
        finally:
            results.put(None)

    logs = {n: alerts.log() for n in channels}
    threads = [threading.Thread(target=work, args=(channels[n], by_channel[n], logs[n]),
                                daemon=True, name=f"alerts-{n}") for n in channels]
    for t in threads:
        t.start()
    finished = 0
    while finished < len(threads):
        item = results.get()
        if item is None:
            finished += 1
            continue
        _delivery, error = item
        if error is None:
            report.delivered += 1
        else:
            report.failed.append(error)
            report.pending += 1
    for t in threads:
        t.join()
    for log in logs.values():
        log.close()
    for ch in channels.values():
        ch.close()
    return report


def _stoppable(sleep: Callable[[float], None], stop: threading.Event | None
               ) -> Callable[[float], None]:
    if stop is None:
        return sleep

    def wait(seconds: float) -> None:
        if stop.wait(seconds):
            raise _Interrupted
    return wait


@dataclass(frozen=True)
class RunResult:
    """One ``alerts run``: the as-of date, the alerts fired now, and the delivery pass."""

    as_of: pd.Timestamp
    fired: tuple[Firing, ...]
    delivery: DeliveryReport

    def to_dict(self) -> dict[str, Any]:
        return {"as_of": _iso(self.as_of),
                "fired": [{"id": f.rule_id, "date": _iso(f.date), "severity": f.severity,
                           "alert_id": f.alert_id, "channels": list(f.channels)}
                          for f in self.fired],
                "delivered": self.delivery.delivered, "pending": self.delivery.pending,
                "failed": list(self.delivery.failed)}


def run(ruleset: RuleSet, store: Any, as_of: Any = None, *, settings: Any = None,
        env: Mapping[str, str] | None = None, console_stream: TextIO | None = None,
        sleep: Callable[[float], None] = time.sleep, stop: threading.Event | None = None,
        ) -> RunResult:
    """Fire (edges since the stored state, committed with it) and deliver the outbox.

    Parameters
    ----------
    ruleset : the validated rules.
    store : an open, writable store.
    as_of : the evaluation date (default: the store's last date).
    settings : where user universes and regime rules live.
    env : where channels read their secrets (default ``os.environ``).
    console_stream : where the console channel writes (default stdout).
    sleep : the retry wait (tests pass a recorder; ``watch`` an interruptible one).
    stop : set it to stop delivering after the current attempt (pending alerts stay).

    Returns
    -------
    RunResult
        The as-of date, the alerts fired by this call, and the delivery report.

    Notes
    -----
    Pending deliveries from earlier runs (a crash, a channel that was down) are sent
    in the same pass. Safe to repeat: a re-run fires nothing new for dates already
    processed and sends only what is still pending.
    """
    day, firings = fire(ruleset, store, as_of, settings)
    report = deliver(ruleset, store, env=env, console_stream=console_stream, sleep=sleep,
                     stop=stop)
    return RunResult(day, tuple(firings), report)


# -- watch -------------------------------------------------------------------------------

_EVERY_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_every(text: str) -> float:
    """``"90s"``, ``"15m"``, ``"1h"``, ``"1d"`` (or plain seconds) -> seconds (> 0).

    >>> parse_every("1h"), parse_every("15m"), parse_every("30")
    (3600.0, 900.0, 30.0)
    """
    t = str(text).strip().lower()
    try:
        value = float(t[:-1]) * _EVERY_UNITS[t[-1]] if t and t[-1] in _EVERY_UNITS else float(t)
    except ValueError:
        value = float("nan")
    if not np.isfinite(value) or value <= 0:
        raise ParameterError(f"--every must look like 90s, 15m, 1h or 1d, got {text!r}")
    return value


def _updater() -> Callable[[Any], Any] | None:
    """The data-update step, or None when rotascope.data.updater is not available."""
    try:
        from ...data import updater
    except ImportError:
        return None
    update_prices = getattr(updater, "update_prices", None)
    update_tickers = getattr(updater, "update_tickers", None)
    if update_prices is None or update_tickers is None:
        return None

    def update(store: Any) -> Any:
        return update_prices(store, update_tickers(store))
    return update


def watch(rules_path: str | Path, open_store: Callable[[], Any], *, every: float,
          stop: threading.Event, echo: Callable[[str], None], settings: Any = None,
          env: Mapping[str, str] | None = None, console_stream: TextIO | None = None,
          update: Callable[[Any], Any] | None | bool = True, max_cycles: int | None = None,
          ) -> int:
    """Update data, run the alerts, wait ``every`` seconds; repeat until ``stop`` is set.

    ``open_store()`` opens the store for writing; it is closed between cycles so other
    commands can use it. The rules file is re-read every cycle: a malformed edit is
    reported and that cycle runs nothing (the previous state stays as it was).
    ``update=True`` uses :mod:`rotascope.data.updater` when present (else the update is
    skipped with a message); a callable replaces it; False/None skips it. Returns the
    number of cycles run.
    """
    updater = _updater() if update is True else (update or None)
    if update is True and updater is None:
        echo("data update skipped: rotascope.data.updater is not available")
    cycles = 0
    while not stop.is_set():
        cycles += 1
        started = time.monotonic()
        try:
            store = open_store()
            try:
                if updater is not None:
                    try:
                        result = updater(store)
                        summary = getattr(result, "summary", None)
                        echo(f"data updated: {summary() if callable(summary) else 'done'}")
                    except RotascopeError as exc:
                        echo(f"data update failed ({exc}); running the alerts on the stored data")
                    except Exception as exc:  # a provider bug must not stop the alerts
                        logger.exception("data update failed")
                        echo(f"data update failed ({type(exc).__name__}); running the alerts "
                             "on the stored data")
                if stop.is_set():
                    break
                ruleset = load_rules(rules_path, store=store, settings=settings)
                result = run(ruleset, store, settings=settings, env=env,
                             console_stream=console_stream, stop=stop)
                echo(f"as of {_iso(result.as_of)}: {len(result.fired)} fired, "
                     f"{result.delivery.delivered} delivered, {result.delivery.pending} pending")
            finally:
                store.close()
        except RotascopeError as exc:
            echo(f"error: {exc}")
        if max_cycles is not None and cycles >= max_cycles:
            break
        wait = max(0.0, every - (time.monotonic() - started))
        if not stop.is_set():
            nxt = datetime.now().astimezone().timestamp() + wait
            echo(f"next run at {datetime.fromtimestamp(nxt).strftime('%Y-%m-%d %H:%M:%S')}; "
                 "waiting (Ctrl-C or SIGTERM stops)")
        stop.wait(wait)
    return cycles

