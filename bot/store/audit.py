"""The audit log: who changed what through the bot, when, and what it was before and after."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils
from pydantic import BaseModel

from bot.store.requests import now_iso


class AuditEntry(BaseModel):
    id: int
    at: str
    actor: str
    action: str
    target: str
    provider: str | None = None
    details: dict[str, Any] = {}
    before: Any = None
    after: Any = None
    intent: str | None = None  # the intent it settled (bot/store/intents.py)


def record_audit(
    db: sqlite_utils.Database,
    *,
    actor: str,
    action: str,
    target: str,
    provider: str = "infobip",
    details: dict[str, Any] | None = None,
    before: Any = None,
    after: Any = None,
    intent: str | None = None,
) -> AuditEntry:
    """Append one entry; call it only once the change has really happened at the provider."""
    row = {
        "at": now_iso(),
        "actor": actor,
        "action": action,
        "target": target,
        "provider": provider,
        "details": json.dumps(details or {}),
        "before": None if before is None else json.dumps(before),
        "after": None if after is None else json.dumps(after),
        "intent": intent,
    }
    row_id = db.table("audit_log").insert(row).last_pk
    return list_audit(db, entry_id=row_id)[0]


def log_filters(action_prefix: str | None, since: str | None, *, at_column: str) -> tuple[list[str], list[Any]]:
    """The SQL conditions, and their arguments, of the audit log's two filters: actions starting
    with `action_prefix` (taken literally: a `%` in it is dropped), and `at_column` at or after `since`."""
    clauses: list[str] = []
    args: list[Any] = []
    if action_prefix:
        clauses.append("action LIKE ?")
        args.append(action_prefix.replace("%", "") + "%")
    if since:
        clauses.append(f"{at_column} >= ?")
        args.append(since)
    return clauses, args


def list_audit(
    db: sqlite_utils.Database,
    *,
    action_prefix: str | None = None,
    since: str | None = None,
    entry_id: int | None = None,
    limit: int | None = None,
) -> list[AuditEntry]:
    """Oldest first; `action_prefix` like "number." narrows to a family of actions."""
    clauses, args = log_filters(action_prefix, since, at_column="at")
    if entry_id is not None:
        clauses.append("id = ?")
        args.append(entry_id)
    rows = db.table("audit_log").rows_where(" AND ".join(clauses) or None, args, order_by="id", limit=limit)
    return [
        AuditEntry(
            **{
                **row,
                "details": json.loads(row["details"] or "{}"),
                "before": json.loads(row["before"]) if row["before"] else None,
                "after": json.loads(row["after"]) if row["after"] else None,
            }
        )
        for row in rows
    ]


def _state_text(state: str, resolved_by: str | None) -> str:
    """An intent's state as the log shows it: a recovered one says it was unknown first."""
    return f"unknown → {state}" if resolved_by == "recovery" and state in ("done", "refused") else state


APPROVAL_PREFIX = "approval."  # the audit actions of an approval's steps (bot/store/approvals.py)


def _approval_state(db: sqlite_utils.Database, key: str | None) -> str:
    """How the approval behind an entry stands now: waiting, approved, denied or expired."""
    row = db.execute("SELECT state FROM approvals WHERE key = ?", [key]).fetchone() if key else None
    return str(row[0]) if row else "unknown"


def audit_rows(
    db: sqlite_utils.Database, *, action_prefix: str | None = None, since: str | None = None
) -> list[dict[str, Any]]:
    """What `resourcebot audit` lists, oldest first: every change made (with the state of the
    intent that made it; for an approval's steps, the approval's state now: waiting, approved,
    denied or expired), and every intent that did not make one (intended, refused, unknown)."""
    from bot.store.intents import IntentState, list_intents  # the intents module builds on this one

    intents = {i.key: i for i in list_intents(db, action_prefix=action_prefix, since=since)}
    rows: list[dict[str, Any]] = []
    for entry in list_audit(db, action_prefix=action_prefix, since=since):
        if entry.action.startswith(APPROVAL_PREFIX):
            # A step of an approval (its key is the approved change's intent's too): the approval's state.
            state = _approval_state(db, entry.intent)
        else:
            intent = intents.get(entry.intent or "")
            state = _state_text(str(intent.state), intent.resolved_by) if intent else "done"
        rows.append({**entry.model_dump(), "state": state})
    for intent in intents.values():
        if intent.state == IntentState.DONE:
            continue  # its change is listed above, from the audit log
        details = {k: v for k, v in intent.outcome.items() if k != "error"}
        if intent.outcome.get("error"):
            details["error"] = intent.outcome["error"].get("text")
        rows.append(
            {
                "at": intent.settled_at or intent.created_at,
                "actor": intent.actor,
                "action": intent.action,
                "state": _state_text(str(intent.state), intent.resolved_by),
                "target": intent.target,
                "provider": intent.provider,
                "details": details,
                "before": None,
                "after": None,
            }
        )
    return sorted(rows, key=lambda row: row["at"])
