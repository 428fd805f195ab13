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
    intent: str | None = None   # the intent it settled (bot/store/intents.py)


def record_audit(db: sqlite_utils.Database, *, actor: str, action: str, target: str, provider: str = "infobip",
                 details: dict[str, Any] | None = None, before: Any = None, after: Any = None,
                 intent: str | None = None) -> AuditEntry:
    """Append one entry; call it only once the change has really happened at the provider."""
    row = {"at": now_iso(), "actor": actor, "action": action, "target": target, "provider": provider,
           "details": json.dumps(details or {}),
           "before": None if before is None else json.dumps(before),
           "after": None if after is None else json.dumps(after), "intent": intent}
    row_id = db["audit_log"].insert(row).last_pk
    return list_audit(db, entry_id=row_id)[0]


def list_audit(db: sqlite_utils.Database, *, action_prefix: str | None = None, since: str | None = None,
               entry_id: int | None = None, limit: int | None = None) -> list[AuditEntry]:
    """Oldest first; `action_prefix` like "number." narrows to a family of actions."""
    clauses, args = [], []
    if action_prefix:
        clauses.append("action LIKE ?")
        args.append(action_prefix.replace("%", "") + "%")
    if since:
        clauses.append("at >= ?")
        args.append(since)
    if entry_id is not None:
        clauses.append("id = ?")
        args.append(entry_id)
    rows = db["audit_log"].rows_where(" AND ".join(clauses) or None, args, order_by="id", limit=limit)
    return [AuditEntry(**{**row, "details": json.loads(row["details"] or "{}"),
                          "before": json.loads(row["before"]) if row["before"] else None,
                          "after": json.loads(row["after"]) if row["after"] else None}) for row in rows]
