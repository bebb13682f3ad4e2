"""Alert state in the store: edge state per rule, the outbox, and per-channel deliveries.

Tables (created with :meth:`Store.ensure_schema`, written only inside
``store.transaction()``):

``alert_state``        one row per (namespace, rule_id): the condition's identity
                       (``condition_hash``), the last date its value was known and that
                       value, and the last as-of date evaluated.
``alert_outbox``       one row per fired alert (``alert_id`` derived from namespace,
                       rule, date and condition, so the same firing can never be
                       inserted twice), with the JSON payload delivered.
``alert_deliveries``   one row per (alert, channel): ``pending`` until the channel
                       confirms, then ``delivered``; attempts and the last (redacted)
                       error are kept.

Crash safety
------------
Firing is one transaction: the new edge state, the outbox rows and their pending
deliveries commit together, or not at all. A process killed before the commit
re-evaluates the same dates on restart (same ids, nothing lost); killed after it, the
restart finds the deliveries pending and sends them (nothing fires twice, because the
edge state moved on in the same commit).

Each confirmation is its own small commit, made by the channel's worker thread on a
connection of its own (:meth:`AlertStore.log`) right after the channel confirms and
before it sends anything else: a process killed at any point can repeat at most the one
delivery per channel that was in flight or whose confirmation was being committed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd

__all__ = ["SCHEMA", "RuleState", "Firing", "PendingDelivery", "AlertStore", "DeliveryLog",
           "alert_id", "delivery_id"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS alert_state (
    namespace VARCHAR NOT NULL, rule_id VARCHAR NOT NULL, condition_hash VARCHAR NOT NULL,
    known_date DATE, known_value BOOLEAN, checked_through DATE, updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (namespace, rule_id));
CREATE TABLE IF NOT EXISTS alert_outbox (
    alert_id VARCHAR PRIMARY KEY, namespace VARCHAR NOT NULL, rule_id VARCHAR NOT NULL,
    fired_date DATE NOT NULL, severity VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL,
    payload VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS alert_deliveries (
    delivery_id VARCHAR PRIMARY KEY, alert_id VARCHAR NOT NULL, namespace VARCHAR NOT NULL,
    channel VARCHAR NOT NULL, status VARCHAR NOT NULL, attempts INTEGER NOT NULL,
    last_error VARCHAR, created_at TIMESTAMP NOT NULL, updated_at TIMESTAMP NOT NULL,
    delivered_at TIMESTAMP);
"""


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _sha(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:32]


def alert_id(namespace: str, rule_id: str, date: pd.Timestamp, condition_hash: str) -> str:
    """Deterministic id of a firing: the same rule firing on the same date is one alert."""
    return _sha("alert", namespace, rule_id, pd.Timestamp(date).strftime("%Y-%m-%d"),
                condition_hash)


def delivery_id(alert: str, channel: str) -> str:
    """Deterministic id of one alert's delivery to one channel (the idempotency key)."""
    return _sha("delivery", alert, channel)


@dataclass(frozen=True)
class RuleState:
    """Edge state of one rule: the last date its value was known, and that value."""

    rule_id: str
    condition_hash: str
    known_date: pd.Timestamp | None
    known_value: bool | None
    checked_through: pd.Timestamp | None


@dataclass(frozen=True)
class Firing:
    """A rule that became true on ``date``; ``payload`` is what the channels receive."""

    alert_id: str
    rule_id: str
    date: pd.Timestamp
    severity: str
    channels: tuple[str, ...]
    payload: dict[str, Any]


@dataclass(frozen=True)
class PendingDelivery:
    """An outbox entry not yet confirmed by ``channel``."""

    delivery_id: str
    alert_id: str
    channel: str
    attempts: int
    payload: dict[str, Any]


_DELIVERED = ("UPDATE alert_deliveries SET status = 'delivered', attempts = attempts + ?, "
              "last_error = NULL, updated_at = ?, delivered_at = ? WHERE delivery_id = ?")
_FAILED = ("UPDATE alert_deliveries SET attempts = attempts + ?, last_error = ?, "
           "updated_at = ? WHERE delivery_id = ?")


def _commit(con: Any, sql: str, params: list[Any]) -> None:
    """One statement in its own transaction; retried when another worker's commit of a
    different row conflicts (DuckDB's optimistic concurrency)."""
    import duckdb

    for attempt in range(20):
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql, params)
            con.execute("COMMIT")
            return
        except duckdb.TransactionException:
            with contextlib.suppress(duckdb.Error):   # a failed COMMIT already rolled back
                con.execute("ROLLBACK")
            if attempt == 19:
                raise
        except BaseException:
            with contextlib.suppress(Exception):
                con.execute("ROLLBACK")
            raise


def _delivered(con: Any, delivery: str, attempts: int) -> None:
    now = _now()
    _commit(con, _DELIVERED, [attempts, now, now, delivery])


def _failed(con: Any, delivery: str, attempts: int, error: str) -> None:
    _commit(con, _FAILED, [attempts, error[:1000], _now(), delivery])


class DeliveryLog:
    """Records one worker's confirmations on its own connection (a DuckDB cursor), each
    committed at once, so no worker waits for another's commit and no confirmation
    waits in a queue."""

    def __init__(self, con: Any) -> None:
        self.con = con

    def delivered(self, delivery: str, attempts: int) -> None:
        _delivered(self.con, delivery, attempts)

    def failed(self, delivery: str, attempts: int, error: str) -> None:
        _failed(self.con, delivery, attempts, error)

    def close(self) -> None:
        self.con.close()


def _ts(value: Any) -> pd.Timestamp | None:
    return None if value is None else pd.Timestamp(value)


def _date(value: pd.Timestamp | None) -> Any:
    return None if value is None else pd.Timestamp(value).date()


class AlertStore:
    """The alert tables of a writable store.

    Parameters
    ----------
    store : an open, writable :class:`~rotascope.data.store.Store` (read-only stores
        can still be read with :meth:`states`/:meth:`pending` once the tables exist).
    """

    def __init__(self, store: Any) -> None:
        self.store = store
        store.ensure_schema(SCHEMA)

    def _has_tables(self) -> bool:
        row = self.store.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = "
            "'alert_deliveries'").fetchone()
        return bool(row[0])

    def states(self, namespace: str) -> dict[str, RuleState]:
        """Edge state of every rule of ``namespace`` (rule_id -> state)."""
        if not self._has_tables():
            return {}
        rows = self.store.con.execute(
            "SELECT rule_id, condition_hash, known_date, known_value, checked_through "
            "FROM alert_state WHERE namespace = ?", [namespace]).fetchall()
        return {r[0]: RuleState(r[0], r[1], _ts(r[2]), r[3], _ts(r[4])) for r in rows}

    def commit_run(self, namespace: str, states: Sequence[RuleState],
                   firings: Sequence[Firing]) -> int:
        """Write new edge states and fired alerts (with pending deliveries) atomically.

        Returns the number of alerts actually inserted (a firing already in the outbox
        is skipped, so a re-run can never duplicate it).
        """
        now = _now()
        inserted = 0
        with self.store.transaction() as con:
            for f in firings:
                exists = con.execute("SELECT 1 FROM alert_outbox WHERE alert_id = ?",
                                     [f.alert_id]).fetchone()
                if exists:
                    continue
                inserted += 1
                con.execute("INSERT INTO alert_outbox VALUES (?, ?, ?, ?, ?, ?, ?)",
                            [f.alert_id, namespace, f.rule_id, _date(f.date), f.severity, now,
                             json.dumps(f.payload, sort_keys=True, allow_nan=False)])
                for ch in f.channels:
                    con.execute(
                        "INSERT INTO alert_deliveries VALUES (?, ?, ?, ?, 'pending', 0, NULL, "
                        "?, ?, NULL) ON CONFLICT DO NOTHING",
                        [delivery_id(f.alert_id, ch), f.alert_id, namespace, ch, now, now])
            for s in states:
                con.execute(
                    "INSERT INTO alert_state VALUES (?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (namespace, rule_id) DO UPDATE SET "
                    "condition_hash = excluded.condition_hash, known_date = excluded.known_date, "
                    "known_value = excluded.known_value, "
                    "checked_through = excluded.checked_through, updated_at = excluded.updated_at",
                    [namespace, s.rule_id, s.condition_hash, _date(s.known_date), s.known_value,
                     _date(s.checked_through), now])
        return inserted

    def pending(self, namespace: str, channels: Iterable[str] | None = None
                ) -> list[PendingDelivery]:
        """Deliveries of ``namespace`` not yet confirmed, oldest firing first."""
        if not self._has_tables():
            return []
        sql = ("SELECT d.delivery_id, d.alert_id, d.channel, d.attempts, o.payload "
               "FROM alert_deliveries d JOIN alert_outbox o USING (alert_id) "
               "WHERE d.namespace = ? AND d.status = 'pending'")
        params: list[Any] = [namespace]
        if channels is not None:
            sql += " AND d.channel IN (SELECT unnest(?))"
            params.append(list(channels))
        rows = self.store.con.execute(
            sql + " ORDER BY o.fired_date, o.rule_id, d.channel", params).fetchall()
        return [PendingDelivery(r[0], r[1], r[2], int(r[3]), json.loads(r[4])) for r in rows]

    def mark_delivered(self, delivery: str, attempts: int) -> None:
        """Record that a channel confirmed a delivery (one small commit)."""
        _delivered(self.store.con, delivery, attempts)

    def mark_failed(self, delivery: str, attempts: int, error: str) -> None:
        """Record a failed attempt; the delivery stays pending for the next run."""
        _failed(self.store.con, delivery, attempts, error)

    def log(self) -> DeliveryLog:
        """A connection of its own to record confirmations from one worker thread."""
        return DeliveryLog(self.store.con.cursor())

    def deliveries(self, namespace: str) -> pd.DataFrame:
        """Every delivery of ``namespace`` with its alert (for status reports and tests)."""
        if not self._has_tables():
            return pd.DataFrame(columns=["rule_id", "fired_date", "channel", "status",
                                         "attempts", "last_error", "delivery_id", "alert_id"])
        return self.store.con.execute(
            "SELECT o.rule_id, o.fired_date, d.channel, d.status, d.attempts, d.last_error, "
            "d.delivery_id, d.alert_id FROM alert_deliveries d JOIN alert_outbox o "
            "USING (alert_id) WHERE d.namespace = ? ORDER BY o.fired_date, o.rule_id, d.channel",
            [namespace]).df()

    def fired(self, namespace: str) -> dict[str, list[pd.Timestamp]]:
        """Dates each rule fired (outbox), rule_id -> sorted dates."""
        if not self._has_tables():
            return {}
        rows = self.store.con.execute(
            "SELECT rule_id, fired_date FROM alert_outbox WHERE namespace = ? "
            "ORDER BY rule_id, fired_date", [namespace]).fetchall()
        out: dict[str, list[pd.Timestamp]] = {}
        for rule_id, d in rows:
            out.setdefault(rule_id, []).append(pd.Timestamp(d))
        return out
