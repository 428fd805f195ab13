"""Resource requests as the bot knows them: who asked, where the thread is, what was sent, status."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, NamedTuple, cast

import sqlite_utils
from pydantic import BaseModel, Field

_JSON_FIELDS = ("capabilities", "submitted", "files", "feedback", "numbers")
# Unambiguous characters only: people read these ids aloud and type them into `/resource status`.
_ID_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


class RequestRecord(BaseModel):
    id: str
    provider: str
    provider_request_id: str | None = None
    kind: str
    country: str | None = None
    sender_name: str | None = None
    number_type: str | None = None
    capabilities: list[str] = Field(default_factory=list)
    quantity: int | None = None
    requester: str
    channel: str | None = None
    thread_ts: str | None = None
    status: str
    status_at: str | None = None
    submitted: dict[str, Any] = Field(default_factory=dict)
    files: dict[str, list[str]] = Field(default_factory=dict)
    feedback: list[dict[str, Any]] = Field(default_factory=list)
    note: str | None = None
    numbers: list[dict[str, Any]] = Field(default_factory=list)
    created_at: str
    updated_at: str
    permalink: str | None = None
    last_reminded_at: str | None = None
    callback_token: str | None = None
    submission_attempted_at: str | None = None  # set while (or since) a lost submit answer was looked for


_FIELDS = frozenset(RequestRecord.model_fields)
# Each JSON column's empty value, as the record declares it: called here, not by pydantic (see _from_row).
_JSON_EMPTY = {k: cast(Callable[[], Any], RequestRecord.model_fields[k].default_factory) for k in _JSON_FIELDS}


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def new_request_id() -> str:
    return "R" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(7))


def _to_row(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: (json.dumps(v) if k in _JSON_FIELDS and v is not None else v) for k, v in fields.items()}


def _from_row(row: dict[str, Any]) -> RequestRecord:
    # Rows are the bot's own, written from RequestRecords: built without validating again (the
    # webhook path reads one per event). A JSON column that is NULL reads as its empty value.
    fields = {k: (json.loads(v) if v and k in _JSON_FIELDS else v) for k, v in row.items() if k in _FIELDS}
    for k, empty in _JSON_EMPTY.items():
        if fields.get(k) is None:
            fields[k] = empty()  # given here: pydantic inspects a default_factory on every construct
    return RequestRecord.model_construct(**fields)


def create_request(db: sqlite_utils.Database, **fields: Any) -> RequestRecord:
    """Insert a request; `id`, timestamps and defaults are filled in."""
    stamp = now_iso()
    row = {"id": new_request_id(), "created_at": stamp, "updated_at": stamp, **fields}
    db.table("requests").insert(_to_row(row))
    return get_request(db, row["id"])  # type: ignore[return-value]


# The status path (webhook → event → request → outbox) runs these per event: plain SQL, because
# sqlite-utils' table methods look the table's columns up again on every call.


def _one(db: sqlite_utils.Database, where: str, args: list[Any]) -> RequestRecord | None:
    cursor = db.execute(f"SELECT * FROM requests WHERE {where} LIMIT 1", args)
    row = cursor.fetchone()
    return _from_row(dict(zip([column[0] for column in cursor.description], row, strict=True))) if row else None


def update_request(db: sqlite_utils.Database, request_id: str, **fields: Any) -> RequestRecord:
    set_fields(db, request_id, **fields)
    return get_request(db, request_id)  # type: ignore[return-value]


def set_fields(db: sqlite_utils.Database, request_id: str, **fields: Any) -> None:
    """update_request without reading the record back (the webhook path runs this per event)."""
    row = _to_row({**fields, "updated_at": now_iso()})
    assignments = ", ".join(f"[{column}] = ?" for column in row)  # column names come from code
    db.execute(f"UPDATE requests SET {assignments} WHERE id = ?", [*row.values(), request_id])


def delete_request(db: sqlite_utils.Database, request_id: str) -> None:
    """Only for a request the provider never received (nothing refers to it yet)."""
    db.execute("DELETE FROM requests WHERE id = ?", [request_id])


def get_request(db: sqlite_utils.Database, request_id: str) -> RequestRecord | None:
    return _one(db, "id = ?", [request_id])


class StatusRow(NamedTuple):
    """What recording an event needs of its request (bot/store/events.py): read for every webhook
    event, where a whole RequestRecord (its JSON columns decoded) cost a fifth of the store's time."""

    id: str
    provider: str
    status: str
    status_at: str | None
    last_reminded_at: str | None


def find_status(db: sqlite_utils.Database, provider: str, provider_request_id: str) -> StatusRow | None:
    row = db.execute(
        "SELECT id, provider, status, status_at, last_reminded_at FROM requests"
        " WHERE provider = ? AND provider_request_id = ? LIMIT 1",
        [provider, provider_request_id],
    ).fetchone()
    return StatusRow(*row) if row else None


def find_by_callback_token(db: sqlite_utils.Database, token: str) -> RequestRecord | None:
    return _one(db, "callback_token = ?", [token])


def list_requests(
    db: sqlite_utils.Database,
    requester: str | None = None,
    limit: int | None = 200,
    statuses: list[str] | None = None,
    provider: str | None = None,
) -> list[RequestRecord]:
    """Newest first; everyone's when `requester` is None; only `statuses` when given."""
    clauses, args = [], []
    if requester:
        clauses.append("requester = ?")
        args.append(requester)
    if provider:
        clauses.append("provider = ?")
        args.append(provider)
    if statuses:
        clauses.append(f"status IN ({', '.join('?' for _ in statuses)})")
        args.extend(statuses)
    rows = db.table("requests").rows_where(" AND ".join(clauses) or None, args, order_by="created_at DESC", limit=limit)
    return [_from_row(row) for row in rows]
