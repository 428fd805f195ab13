"""Form drafts: the server-side half of an open modal (private_metadata holds only its key)."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlite_utils
from pydantic import BaseModel, Field

from bot.store.db import write
from bot.store.requests import now_iso

# A modal left open longer than this is abandoned; its draft is removed on the next save.
DRAFT_LIFETIME = timedelta(days=2)


class FormDraft(BaseModel):
    key: str
    user: str
    requirements: list[dict[str, Any]] = Field(default_factory=list)
    values: dict[str, Any] = Field(default_factory=dict)
    prefill: dict[str, Any] = Field(default_factory=dict)
    feedback: dict[str, str] = Field(default_factory=dict)
    labels: dict[str, str] = Field(default_factory=dict)


_JSON = ("requirements", "values", "prefill", "feedback", "labels")


def save_draft(db: sqlite_utils.Database, user: str, **fields: Any) -> FormDraft:
    draft = FormDraft(key=secrets.token_urlsafe(12), user=user, **fields)
    cutoff = (datetime.now(UTC) - DRAFT_LIFETIME).isoformat()
    with write(db):
        db.execute("DELETE FROM form_drafts WHERE created_at < ?", [cutoff])
        db.table("form_drafts").insert(
            {
                **{k: json.dumps(getattr(draft, k)) for k in _JSON},
                "key": draft.key,
                "user": user,
                "created_at": now_iso(),
            }
        )
    return draft


def load_draft(db: sqlite_utils.Database, key: str | None, user: str) -> FormDraft | None:
    """The draft, only for the user who opened the modal."""
    if not key:
        return None
    rows = list(db.table("form_drafts").rows_where("key = ? AND user = ?", [key, user], limit=1))
    if not rows:
        return None
    row = rows[0]
    return FormDraft(key=row["key"], user=row["user"], **{k: json.loads(row[k]) for k in _JSON})


def update_draft_values(db: sqlite_utils.Database, key: str, values: dict[str, Any]) -> None:
    db.table("form_drafts").update(key, {"values": json.dumps(values)})


def update_draft_prefill(db: sqlite_utils.Database, key: str, prefill: dict[str, Any]) -> None:
    """The values the form starts from, e.g. a company profile's once it is picked."""
    db.table("form_drafts").update(key, {"prefill": json.dumps(prefill)})


def delete_draft(db: sqlite_utils.Database, key: str) -> None:
    db.execute("DELETE FROM form_drafts WHERE key = ?", [key])
