"""The Slack outbox: deliveries recorded in the same transaction as the change they report.

A webhook is answered 200 only after its event and its outbox rows are committed; a worker
then delivers them, in order per request, retrying until Slack takes them. A Slack outage
delays messages but loses none, and a crash between commit and delivery is caught up on restart.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlite_utils

from bot.store.db import write

THREAD_ROOT = "thread_root"  # post the request's root message (creates the thread)
THREAD_REPLY = "thread_reply"  # a reply in the request's thread
ROOT_UPDATE = "root_update"  # re-render the root message from the request's current state
DIRECT_MESSAGE = "direct_message"
HOME_REFRESH = "home_refresh"  # re-publish the App Home of whoever sees the request
NOT_SUBMITTED = "not_submitted"  # DM the requester: a submission whose answer was lost created nothing
INTENT_NOTICE = "intent_notice"  # post a change made through the bot where people follow them
INTENT_DM = "intent_dm"  # DM the person whose change recovery settled: what happened
APPROVAL_POST = "approval_post"  # post an approval request (payload {"approval", "to", "buttons"})
APPROVAL_UPDATE = "approval_update"  # re-render a posted approval request from its current state
APPROVAL_DM = "approval_dm"  # tell the requester their change was denied or expired
APPROVAL_THREAD = "approval_thread"  # how the approval was decided, in the thread of the request that waited
APPROVAL_REMINDER = "approval_reminder"  # remind an approver (payload {"approval", "to"}) halfway to the expiry
APPROVAL_HOMES = "approval_homes"  # re-publish the Homes of an approval's requester and deciders
GROUP_SUMMARY = "group_summary"  # post the summary of requests filed together (request_id: the group's id)
GROUP_UPDATE = "group_update"  # re-render that summary from its requests' current state
GROUP_KINDS = (GROUP_SUMMARY, GROUP_UPDATE)
# What a group's summary shows changes with these of its requests (bot/store/request_groups.py);
# and once a request's thread is posted (bot/slack/delivery.py), to link to it.
_GROUP_UPDATED_BY = (ROOT_UPDATE,)
# Kinds that report an approval (payload {"approval": key, ...}).
APPROVAL_KINDS = (APPROVAL_POST, APPROVAL_UPDATE, APPROVAL_DM, APPROVAL_THREAD, APPROVAL_REMINDER, APPROVAL_HOMES)
# Kinds that report an intent (payload {"intent": key}) rather than a request's thread.
INTENT_KINDS = (INTENT_NOTICE, INTENT_DM)
# Rendered from the current state when delivered: one delivery covers every earlier one queued.
_FROM_CURRENT_STATE = (ROOT_UPDATE, HOME_REFRESH, APPROVAL_HOMES, GROUP_UPDATE)


@dataclass(frozen=True)
class OutboxItem:
    id: int
    request_id: str
    kind: str
    payload: dict[str, Any]
    attempts: int
    created_at: str = ""
    maybe_posted: bool = False  # an earlier post may have reached Slack without our knowing


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def enqueue(db: sqlite_utils.Database, request_id: str, kind: str, payload: dict[str, Any] | None = None) -> int:
    """Add a delivery; call inside the transaction that makes the change it reports."""
    cursor = db.execute(
        "INSERT INTO outbox (request_id, kind, payload, attempts, next_attempt_at, created_at)"
        " VALUES (?, ?, ?, 0, 0.0, ?)",
        [request_id, kind, json.dumps(payload or {}), _now_iso()],
    )
    assert cursor.lastrowid is not None  # an INSERT that did not raise has one
    if kind in _GROUP_UPDATED_BY:
        enqueue_group_update(db, request_id)
    return cursor.lastrowid


def enqueue_all(db: sqlite_utils.Database, request_id: str, items: list[tuple[str, dict[str, Any] | None]]) -> None:
    """enqueue, for several (kind, payload) of one request at once, in this order."""
    stamp = _now_iso()
    db.conn.executemany(
        "INSERT INTO outbox (request_id, kind, payload, attempts, next_attempt_at, created_at)"
        " VALUES (?, ?, ?, 0, 0.0, ?)",
        [(request_id, kind, json.dumps(payload or {}), stamp) for kind, payload in items],
    )
    if any(kind in _GROUP_UPDATED_BY for kind, _ in items):
        enqueue_group_update(db, request_id)


def enqueue_group_update(db: sqlite_utils.Database, request_id: str) -> None:
    """A request filed with others from one form: its group's summary is shown again, in the same
    transaction as the change of the request."""
    row = db.execute(
        "SELECT m.group_id FROM request_group_members m JOIN intents i ON i.key = m.intent"
        " WHERE i.request_id = ? LIMIT 1",
        [request_id],
    ).fetchone()
    if row is not None:
        db.execute(
            "INSERT INTO outbox (request_id, kind, payload, attempts, next_attempt_at, created_at)"
            " VALUES (?, ?, '{}', 0, 0.0, ?)",
            [row[0], GROUP_UPDATE, _now_iso()],
        )


def due(db: sqlite_utils.Database, now: float | None = None, limit: int = 100) -> list[OutboxItem]:
    """The oldest undelivered item of each request, where it is due.

    Only the head of each request's queue is offered, so a thread's messages go out in the
    order they were recorded even when an earlier one is waiting for a retry.
    """
    now = time.time() if now is None else now
    rows = db.execute(
        """
        SELECT o.id, o.request_id, o.kind, o.payload, o.attempts, o.created_at, o.maybe_posted
        FROM outbox o
        JOIN (SELECT request_id, MIN(id) AS head FROM outbox
              WHERE delivered_at IS NULL GROUP BY request_id) h ON o.id = h.head
        WHERE o.next_attempt_at <= ?
        ORDER BY o.id
        LIMIT ?
        """,
        [now, limit],
    ).fetchall()
    return [OutboxItem(r[0], r[1], r[2], json.loads(r[3]), r[4], r[5], bool(r[6])) for r in rows]


def next_due_at(db: sqlite_utils.Database) -> float | None:
    """When the next waiting item becomes due (None when nothing waits)."""
    row = db.execute("SELECT MIN(next_attempt_at) FROM outbox WHERE delivered_at IS NULL").fetchone()
    return float(row[0]) if row[0] is not None else None


def latest_id(db: sqlite_utils.Database, request_id: str) -> int:
    """The newest outbox id of a request; read before rendering a root update (see below)."""
    row = db.execute("SELECT MAX(id) FROM outbox WHERE request_id = ?", [request_id]).fetchone()
    return row[0] or 0


def mark_delivered(db: sqlite_utils.Database, item: OutboxItem, rendered_up_to: int | None = None) -> None:
    """Record a delivery. For a root update or Home refresh, `rendered_up_to` is `latest_id` as
    read before rendering: every one of the same kind queued up to there is already shown by this
    one, so a burst of status changes costs one chat.update. Ones queued during the call stay."""
    with write(db):
        db.execute("UPDATE outbox SET delivered_at = ?, attempts = attempts + 1 WHERE id = ?", [_now_iso(), item.id])
        if item.kind in _FROM_CURRENT_STATE and rendered_up_to:
            db.execute(
                """UPDATE outbox SET delivered_at = ? WHERE request_id = ? AND kind = ?
                   AND delivered_at IS NULL AND id > ? AND id <= ?""",
                [_now_iso(), item.request_id, item.kind, item.id, rendered_up_to],
            )


def mark_failed(db: sqlite_utils.Database, item: OutboxItem, error: str, retry_at: float) -> None:
    db.execute(
        "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?",
        [error[:500], retry_at, item.id],
    )


def mark_maybe_posted(db: sqlite_utils.Database, item: OutboxItem, maybe: bool = True) -> None:
    """Set before a post is sent (committed, so it survives a crash during the call); cleared when
    Slack answered that nothing was posted."""
    db.execute("UPDATE outbox SET maybe_posted = ? WHERE id = ?", [int(maybe), item.id])


def has_item(db: sqlite_utils.Database, request_id: str, kind: str) -> bool:
    """Whether an item of `kind` was ever queued for the request (delivered or not)."""
    return (
        db.execute("SELECT 1 FROM outbox WHERE request_id = ? AND kind = ? LIMIT 1", [request_id, kind]).fetchone()
        is not None
    )


def pending_count(db: sqlite_utils.Database) -> int:
    return int(db.execute("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL").fetchone()[0])


def superseded(db: sqlite_utils.Database, item: OutboxItem) -> bool:
    """True for a root update or Home refresh with a later one of the same kind waiting for the
    same request: rendered from the current state, that one shows everything this one would, so a
    burst of status changes costs one chat.update, after the burst's replies."""
    if item.kind not in _FROM_CURRENT_STATE:
        return False
    row = db.execute(
        "SELECT 1 FROM outbox WHERE request_id = ? AND kind = ? AND id > ? AND delivered_at IS NULL LIMIT 1",
        [item.request_id, item.kind, item.id],
    ).fetchone()
    return row is not None
