"""Submissions whose answer was lost (see domain/submissions.py): recorded, linked, or given up.

An unconfirmed submission is a request row with no provider id and status UNCONFIRMED, holding
what was sent and when. The reconciler either links it to the request Infobip created (which
posts its thread) or, after a while, marks it NOT_SUBMITTED (which tells the requester).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import sqlite_utils

from bot.domain.submissions import NOT_SUBMITTED, UNCONFIRMED, Attempt
from bot.store import outbox
from bot.store.db import write
from bot.store.requests import RequestRecord, _from_row, create_request, get_request, now_iso


def record_unconfirmed(db: sqlite_utils.Database, *, attempted_at: datetime, **fields: Any) -> RequestRecord:
    """A submission sent at `attempted_at` whose answer was lost; `fields` as for create_request."""
    with write(db):
        request = create_request(
            db,
            **{
                **fields,
                "status": UNCONFIRMED,
                "status_at": None,
                "provider_request_id": None,
                "submission_attempted_at": _iso(attempted_at),
            },
        )
        outbox.enqueue(db, request.id, outbox.HOME_REFRESH)
    return request


def unconfirmed(db: sqlite_utils.Database, provider: str) -> list[RequestRecord]:
    """Unconfirmed submissions to `provider`, oldest attempt first."""
    rows = db.table("requests").rows_where(
        "provider = ? AND status = ? AND provider_request_id IS NULL",
        [provider, UNCONFIRMED],
        order_by="submission_attempted_at",
    )
    return [_from_row(row) for row in rows]


def as_attempt(request: RequestRecord) -> Attempt:
    return Attempt(
        request_id=request.id,
        kind=request.kind,
        country=request.country,
        sender_name=request.sender_name,
        number_type=request.number_type,
        attempted_at=datetime.fromisoformat(request.submission_attempted_at or request.created_at),
    )


def linked_ids(db: sqlite_utils.Database, provider: str, provider_request_ids: Iterable[str]) -> set[str]:
    """Those of `provider_request_ids` that are already the thread of one of our requests."""
    ids = list(dict.fromkeys(provider_request_ids))
    found: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = db.execute(
            f"SELECT provider_request_id FROM requests WHERE provider = ? AND provider_request_id IN "
            f"({', '.join('?' for _ in chunk)})",
            [provider, *chunk],
        ).fetchall()
        found.update(row[0] for row in rows)
    return found


def link_submission(
    db: sqlite_utils.Database, request_id: str, provider_request_id: str, status: str, status_at: datetime
) -> RequestRecord | None:
    """The provider's request found: it becomes this request's, and its thread is posted.
    None when the submission was already settled (linked or given up) meanwhile."""
    with write(db):
        cursor = db.execute(
            "UPDATE requests SET provider_request_id = ?, status = ?, status_at = ?, updated_at = ? "
            "WHERE id = ? AND status = ? AND provider_request_id IS NULL",
            [provider_request_id, status, _iso(status_at), now_iso(), request_id, UNCONFIRMED],
        )
        if cursor.rowcount != 1:
            return None
        # An approved request has had its thread since it waited for approval: its root shows the news.
        started = outbox.has_item(db, request_id, outbox.THREAD_ROOT)
        outbox.enqueue(db, request_id, outbox.ROOT_UPDATE if started else outbox.THREAD_ROOT)
        outbox.enqueue(db, request_id, outbox.HOME_REFRESH)
    return get_request(db, request_id)


def mark_not_submitted(db: sqlite_utils.Database, request_id: str) -> RequestRecord | None:
    """Looked for long enough: nothing was created. The requester is told by DM."""
    with write(db):
        cursor = db.execute(
            "UPDATE requests SET status = ?, status_at = ?, updated_at = ? "
            "WHERE id = ? AND status = ? AND provider_request_id IS NULL",
            [NOT_SUBMITTED, now_iso(), now_iso(), request_id, UNCONFIRMED],
        )
        if cursor.rowcount != 1:
            return None
        outbox.enqueue(db, request_id, outbox.NOT_SUBMITTED)
        outbox.enqueue(db, request_id, outbox.HOME_REFRESH)
    return get_request(db, request_id)


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")
