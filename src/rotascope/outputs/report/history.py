"""Earlier notes, kept in the store's ``reports`` table for the recap.

Table ``reports`` (created with :meth:`Store.ensure_schema`, written inside
``store.transaction()``):

==============  =========  ===========================================================
``as_of``       DATE       the note's date (primary key: re-running a date replaces it)
``created_at``  TIMESTAMP  when it was written (UTC)
``verdict``     VARCHAR    the regime verdict
``synthetic``   BOOLEAN    written from synthetic data
``note``        VARCHAR    the full ``note.json``
==============  =========  ===========================================================

The recap of a note dated D reads the latest note dated strictly before D.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from ...data.store import Store

__all__ = ["REPORTS_DDL", "save_note", "previous_note", "list_notes"]

REPORTS_DDL = """
CREATE TABLE IF NOT EXISTS reports (
    as_of DATE PRIMARY KEY, created_at TIMESTAMP NOT NULL, verdict VARCHAR NOT NULL,
    synthetic BOOLEAN NOT NULL, note VARCHAR NOT NULL);
"""


def _has_table(store: Store) -> bool:
    if not getattr(store, "exists", True):
        return False
    rows = store.con.execute("SELECT count(*) FROM information_schema.tables "
                             "WHERE table_name = 'reports'").fetchall()
    return bool(rows[0][0])


def save_note(store: Store, note: dict[str, Any], *, created_at: datetime | None = None) -> None:
    """Store ``note`` (the ``note.json`` dict) under its ``as_of``, replacing that date.

    Parameters
    ----------
    store : a writable :class:`~rotascope.data.store.Store`.
    note : the note's JSON as a dict (``ReportModel.to_dict()``).
    created_at : default now (UTC).
    """
    store.ensure_schema(REPORTS_DDL)
    when = created_at or datetime.now(UTC).replace(tzinfo=None)
    day = pd.Timestamp(note["as_of"]).date()
    with store.transaction() as con:
        con.execute("DELETE FROM reports WHERE as_of = ?", [day])
        con.execute("INSERT INTO reports VALUES (?, ?, ?, ?, ?)",
                    [day, when, note["regime"]["verdict"], bool(note.get("synthetic")),
                     json.dumps(note, ensure_ascii=False)])


def previous_note(store: Store, as_of: Any) -> dict[str, Any] | None:
    """The latest stored note dated strictly before ``as_of`` (its JSON), or None."""
    if not _has_table(store):
        return None
    rows = store.con.execute("SELECT note FROM reports WHERE as_of < ? ORDER BY as_of DESC "
                             "LIMIT 1", [pd.Timestamp(as_of).date()]).fetchall()
    return json.loads(rows[0][0]) if rows else None


def list_notes(store: Store) -> pd.DataFrame:
    """Stored notes: as_of, created_at, verdict, synthetic (newest first)."""
    cols = ["as_of", "created_at", "verdict", "synthetic"]
    if not _has_table(store):
        return pd.DataFrame(columns=cols)
    df = store.con.execute("SELECT as_of, created_at, verdict, synthetic FROM reports "
                           "ORDER BY as_of DESC").df()
    df["as_of"] = pd.to_datetime(df["as_of"])
    return df
