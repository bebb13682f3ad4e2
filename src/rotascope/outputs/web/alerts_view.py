"""Alert state, firing history and deliveries read from the store (never written)."""

from __future__ import annotations

from typing import Any

__all__ = ["alert_tables", "alert_signature"]

_TABLES = ("alert_state", "alert_outbox", "alert_deliveries")


def _present(con: Any) -> set[str]:
    rows = con.execute("SELECT table_name FROM information_schema.tables WHERE table_name "
                       "IN (SELECT unnest(?))", [list(_TABLES)]).fetchall()
    return {r[0] for r in rows}


def alert_tables(store: Any) -> dict[str, Any]:
    """Rules' edge state, every firing (outbox, newest first) and every delivery."""
    if not store.exists:
        return {"state": [], "firings": [], "deliveries": []}
    con = store.con
    have = _present(con)
    out: dict[str, Any] = {"state": [], "firings": [], "deliveries": []}
    if "alert_state" in have:
        out["state"] = con.execute(
            "SELECT namespace, rule_id, known_date, known_value, checked_through, updated_at "
            "FROM alert_state ORDER BY namespace, rule_id").df().to_dict(orient="records")
    if "alert_outbox" in have:
        out["firings"] = con.execute(
            "SELECT namespace, rule_id, fired_date, severity, created_at FROM alert_outbox "
            "ORDER BY fired_date DESC, rule_id LIMIT 500").df().to_dict(orient="records")
    if "alert_deliveries" in have and "alert_outbox" in have:
        out["deliveries"] = con.execute(
            "SELECT o.rule_id, o.fired_date, d.channel, d.status, d.attempts, d.last_error, "
            "d.delivered_at FROM alert_deliveries d JOIN alert_outbox o USING (alert_id) "
            "ORDER BY o.fired_date DESC, o.rule_id, d.channel LIMIT 500"
        ).df().to_dict(orient="records")
    return out


def alert_signature(store: Any) -> tuple[int, Any]:
    """(firings, latest firing time): changes when an alert fires."""
    if not store.exists or "alert_outbox" not in _present(store.con):
        return (0, None)
    n, latest = store.con.execute("SELECT count(*), max(created_at) FROM alert_outbox"
                                  ).fetchone()
    return (int(n), None if latest is None else str(latest))
