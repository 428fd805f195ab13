"""Recording what providers say about requests: deduplicated, never moving the shown status back.

Every event is committed together with the outbox rows that report it, so "200 to the
provider" means "it will reach the thread". A repeated event changes nothing; a late one is
kept for the record but does not replace a newer or final status.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import sqlite_utils

from bot.domain.events import EventKind, ProviderEvent
from bot.domain.reminders import reminder_allowed
from bot.domain.statuses import StatusChange, should_replace
from bot.store import outbox
from bot.store.db import write
from bot.store.requests import RequestRecord, find_status, now_iso, set_fields


class Outcome(StrEnum):
    APPLIED = "applied"  # became the shown status; thread reply + root update queued
    RECORDED_STALE = "stale"  # kept for the record; older than (or behind) what is shown
    REMINDER = "reminder"  # a reminder, queued for the thread and the requester
    REMINDER_HELD = "reminder_held"  # a reminder recorded but not posted: one went out within a day
    DUPLICATE = "duplicate"  # seen before: nothing happens
    UNKNOWN_REQUEST = "unknown"  # not a request this bot made: nothing stored


@dataclass(frozen=True)
class Recorded:
    outcome: Outcome
    request_id: str | None = None  # the bot's id of the request it is about; None when unknown


def record_events(
    db: sqlite_utils.Database, events: Iterable[ProviderEvent], now: datetime | None = None
) -> list[Recorded]:
    """Record a batch (one webhook body) atomically: all of it is committed, or none.
    `now` decides whether a reminder may be posted (at most one a day)."""
    now = now or datetime.now(UTC)
    with write(db):
        return [_record_one(db, event, now) for event in events]


def _record_one(db: sqlite_utils.Database, event: ProviderEvent, now: datetime) -> Recorded:
    request = find_status(db, event.provider, event.provider_request_id)
    if request is None:
        return Recorded(Outcome.UNKNOWN_REQUEST)
    key = event.dedupe_key

    if event.kind == EventKind.REMINDER:
        # Reminders carry no time of their own: one per reminder day per update cycle.
        key = hashlib.sha256(f"{key}\x1f{request.status_at}".encode()).hexdigest()
        if not _insert_event(db, key, request.id, event, became_current=False):
            return Recorded(Outcome.DUPLICATE, request.id)
        last = datetime.fromisoformat(request.last_reminded_at) if request.last_reminded_at else None
        if not reminder_allowed(last, now):
            return Recorded(Outcome.REMINDER_HELD, request.id)
        set_fields(db, request.id, last_reminded_at=now.isoformat(timespec="milliseconds"))
        outbox.enqueue_all(
            db, request.id, [(outbox.THREAD_REPLY, {"event": key}), (outbox.DIRECT_MESSAGE, {"event": key})]
        )
        return Recorded(Outcome.REMINDER, request.id)

    current = (
        StatusChange(request.status, datetime.fromisoformat(request.status_at), request.provider)
        if request.status_at
        else None
    )
    incoming = StatusChange(event.status or "UNKNOWN", event.occurred_at, request.provider)
    applies = should_replace(current, incoming)
    if not _insert_event(db, key, request.id, event, became_current=applies):
        return Recorded(Outcome.DUPLICATE, request.id)
    if not applies:
        return Recorded(Outcome.RECORDED_STALE, request.id)

    changes: dict[str, Any] = {
        "status": incoming.status,
        "status_at": incoming.at.astimezone(UTC).isoformat(timespec="milliseconds"),
        "feedback": event.feedback,
        "note": event.note,
    }
    if event.numbers:
        changes["numbers"] = event.numbers
    set_fields(db, request.id, **changes)
    outbox.enqueue_all(
        db, request.id, [(outbox.THREAD_REPLY, {"event": key}), (outbox.ROOT_UPDATE, None), (outbox.HOME_REFRESH, None)]
    )
    return Recorded(Outcome.APPLIED, request.id)


def record_bot_action(
    db: sqlite_utils.Database, request: RequestRecord, status: str, action: str, actor: str
) -> Recorded:
    """Record a status change a person made through the bot (update → AUTOMATIC_VALIDATION,
    cancel → CANCELED), which Infobip does not report by webhook.

    It is stamped one millisecond after the status it replaces, on the provider's clock rather
    than ours: the next webhook (receivedAt by Infobip's clock) must win over it even when the
    two clocks disagree by more than the time the next review takes.
    """
    replaced_at = (
        datetime.fromisoformat(request.status_at)
        if request.status_at
        else datetime.now(UTC) - timedelta(milliseconds=1)
    )
    event = ProviderEvent(
        provider=request.provider,
        provider_request_id=request.provider_request_id or "",
        kind=EventKind.STATUS,
        occurred_at=replaced_at + timedelta(milliseconds=1),
        status=status,
        source="bot",
        payload={"action": action, "actor": actor},
    )
    [recorded] = record_events(db, [event])
    return recorded


def _insert_event(
    db: sqlite_utils.Database, key: str, request_id: str, event: ProviderEvent, became_current: bool
) -> bool:
    """Keep the event; False when one with its key is kept already (a duplicate: nothing written)."""
    payload = json.dumps(
        {
            "source": event.source,
            "feedback": event.feedback,
            "note": event.note,
            "numbers": event.numbers,
            "days_until_rejection": event.days_until_rejection,
            "raw": event.payload,
        }
    )
    # Plain SQL: this runs once per webhook event (see bot/store/requests.py).
    cursor = db.execute(
        "INSERT INTO events (dedupe_key, request_id, kind, status, occurred_at, payload, became_current,"
        " received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING",
        [
            key,
            request_id,
            str(event.kind),
            event.status,
            event.occurred_at.astimezone(UTC).isoformat(timespec="milliseconds"),
            payload,
            int(became_current),
            now_iso(),
        ],
    )
    return cursor.rowcount == 1


def get_event(db: sqlite_utils.Database, key: str) -> dict[str, Any] | None:
    rows = list(db.table("events").rows_where("dedupe_key = ?", [key], limit=1))
    if not rows:
        return None
    row = rows[0]
    return {**row, "payload": json.loads(row["payload"])}
