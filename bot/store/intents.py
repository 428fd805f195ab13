"""Intents: a change at a provider written down before it is made, claimed once, settled once.

A row is inserted (and committed) before the provider is called, under the idempotency key of
the person's one action. The insert is the claim: the primary key refuses a second claim of the
same key (a double submit, a replay), and a partial unique index refuses a second open intent on
the same target (two modals buying one number). Settling is a conditional update of an open row,
so of a live call and a recovery pass racing, one settles and the other learns it was too late.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import sqlite_utils
from pydantic import BaseModel, Field

from bot.store.audit import log_filters
from bot.store.db import boot_id
from bot.store.records import Table, insert_once
from bot.store.requests import now_iso

# A call, with its retries and the read-back after an unknown answer, ends well within this.
STUCK_AFTER = timedelta(minutes=15)


class IntentState(StrEnum):
    INTENDED = "intended"  # written down; the call may or may not have been sent
    DONE = "done"  # the provider made the change
    REFUSED = "refused"  # the provider did not make it (refused, or it never arrived)
    UNKNOWN = "unknown"  # sent, answer lost: recovery reads the provider until it knows


OPEN_STATES = (IntentState.INTENDED, IntentState.UNKNOWN)


class Intent(BaseModel):
    key: str
    action: str
    target: str
    actor: str
    provider: str
    state: IntentState
    open: bool
    params: dict[str, Any] = Field(default_factory=dict)
    context: dict[str, Any] = Field(default_factory=dict)
    outcome: dict[str, Any] = Field(default_factory=dict)
    request_id: str | None = None
    owner: str | None = None
    attempted_at: str | None = None
    resolved_by: str | None = None
    created_at: str
    updated_at: str
    settled_at: str | None = None

    @property
    def cut_off(self) -> bool:
        """Left open by a process that is gone (another boot), or by this one for far longer than
        any call takes (a bug cut it short): nobody is performing it now."""
        if not self.open:
            return False
        started = datetime.fromisoformat(self.created_at)
        return self.owner != boot_id() or datetime.now(UTC) - started > STUCK_AFTER


@dataclass(frozen=True)
class Claim:
    """The answer to a claim: `claimed` means this caller performs the intent. Otherwise
    `intent` is the earlier one with the same key (a repeat) or, with `busy`, the open one on the
    same target (someone is doing it right now)."""

    intent: Intent
    claimed: bool
    busy: bool = False


_INTENTS = Table("intents", Intent, ("params", "context", "outcome"))
_OPEN_ON_TARGET = "target = ? AND open = 1"


def get_intent(db: sqlite_utils.Database, key: str) -> Intent | None:
    return _INTENTS.first(db, "key = ?", [key])


def open_on_target(db: sqlite_utils.Database, target: str) -> Intent | None:
    return _INTENTS.first(db, _OPEN_ON_TARGET, [target])


def claim(
    db: sqlite_utils.Database,
    *,
    key: str,
    action: str,
    target: str,
    actor: str,
    provider: str,
    params: dict[str, Any],
    context: dict[str, Any],
    request_id: str | None = None,
) -> Claim:
    """Write the intent down, or say who has it. Call inside a write transaction."""
    stamp = now_iso()
    claimed = insert_once(
        db,
        _INTENTS,
        "INSERT INTO intents (key, action, target, actor, provider, state, open, params, context, request_id,"
        " owner, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)",
        [
            key,
            action,
            target,
            actor,
            provider,
            str(IntentState.INTENDED),
            json.dumps(params),
            json.dumps(context),
            request_id,
            boot_id(),
            stamp,
            stamp,
        ],
        key=key,
        open_on_target=(_OPEN_ON_TARGET, [target]),
    )
    return Claim(claimed.row, claimed=claimed.first, busy=claimed.busy)


def mark_attempted(db: sqlite_utils.Database, key: str, params: dict[str, Any] | None = None) -> None:
    """Committed right before the call is sent: when (recovery matches on it), and what is sent
    when that was only known after the claim (uploaded documents)."""
    if params is None:
        db.execute("UPDATE intents SET attempted_at = ?, updated_at = ? WHERE key = ?", [now_iso(), now_iso(), key])
    else:
        db.execute(
            "UPDATE intents SET attempted_at = ?, params = ?, updated_at = ? WHERE key = ?",
            [now_iso(), json.dumps(params), now_iso(), key],
        )


def adopt_unsent(db: sqlite_utils.Database, key: str) -> bool:
    """Take over an open intent whose call was never sent, left by another boot: True when this
    process now performs it (only one process can: the owner changes once)."""
    cursor = db.execute(
        "UPDATE intents SET owner = ?, updated_at = ? WHERE key = ? AND open = 1 AND attempted_at IS NULL"
        " AND owner IS NOT ?",
        [boot_id(), now_iso(), key, boot_id()],
    )
    return cursor.rowcount == 1


def settle(
    db: sqlite_utils.Database,
    key: str,
    state: IntentState,
    outcome: dict[str, Any],
    *,
    resolved_by: str,
    request_id: str | None = None,
) -> Intent | None:
    """Record the outcome of an open intent: done and refused close it, unknown keeps it open
    for recovery. None when it was settled already (by the other of a call and a recovery)."""
    closing = state in (IntentState.DONE, IntentState.REFUSED)
    stamp = now_iso()
    cursor = db.execute(
        "UPDATE intents SET state = ?, open = ?, outcome = ?, resolved_by = ?, updated_at = ?, settled_at = ?,"
        " request_id = COALESCE(?, request_id) WHERE key = ? AND open = 1",
        [
            str(state),
            0 if closing else 1,
            json.dumps(outcome),
            resolved_by,
            stamp,
            stamp if closing else None,
            request_id,
            key,
        ],
    )
    if cursor.rowcount != 1:
        return None
    return get_intent(db, key)


def open_intents(db: sqlite_utils.Database) -> list[Intent]:
    """Every intent without a final outcome, oldest first."""
    return _INTENTS.select(db, "open = 1", [], "ORDER BY created_at")


def open_for_request(db: sqlite_utils.Database, request_id: str, action: str) -> Intent | None:
    return _INTENTS.first(db, "request_id = ? AND action = ? AND open = 1", [request_id, action])


def list_intents(
    db: sqlite_utils.Database, *, action_prefix: str | None = None, since: str | None = None
) -> list[Intent]:
    """Oldest first, for the audit log."""
    clauses, args = log_filters(action_prefix, since, at_column="created_at")
    return _INTENTS.select(db, " AND ".join(clauses) or "1 = 1", args, "ORDER BY created_at")
