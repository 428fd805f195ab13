"""Requests filed together from one multi-country sender form, and the summary message listing them.

A group is written once per submission (its id comes from the submission's key, so a replay finds
the same one) with each country's submission intent; the requests themselves are the intents'
outcomes. Its summary is posted once from the outbox, after every country's submission settled,
and updated (superseded like a root update) whenever one of its requests' threads is updated. A
submission cut off by a crash gets its summary once recovery has settled every country.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from bot.store import outbox
from bot.store.db import write
from bot.store.requests import now_iso


@dataclass(frozen=True)
class GroupMember:
    country: str
    intent: str  # the key of the country's submission intent


@dataclass(frozen=True)
class RequestGroup:
    id: str
    requester: str
    channel: str | None
    members: list[GroupMember]
    refused: dict[str, str] = field(default_factory=dict)  # country → why its lookup refused
    message_channel: str | None = None
    message_ts: str | None = None


def group_id_for(submission_key: str) -> str:
    """The group of one submission of a form: the same for every copy of it."""
    return "G" + hashlib.sha256(submission_key.encode()).hexdigest()[:15].upper()


def create_group(
    db: sqlite_utils.Database,
    group_id: str,
    *,
    requester: str,
    channel: str | None,
    members: list[GroupMember],
    refused: dict[str, str],
) -> RequestGroup:
    """The group, written once: a second submission of the same form finds the first one."""
    with write(db):
        db.execute(
            "INSERT OR IGNORE INTO request_groups (id, requester, channel, members, refused, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                group_id,
                requester,
                channel,
                json.dumps([{"country": m.country, "intent": m.intent} for m in members]),
                json.dumps(refused),
                now_iso(),
            ],
        )
        db.conn.executemany(
            "INSERT OR IGNORE INTO request_group_members (intent, group_id) VALUES (?, ?)",
            [(m.intent, group_id) for m in members],
        )
    found = get_group(db, group_id)
    assert found is not None  # written above, or before
    return found


def get_group(db: sqlite_utils.Database, group_id: str) -> RequestGroup | None:
    row = db.execute(
        "SELECT id, requester, channel, members, refused, message_channel, message_ts FROM request_groups WHERE id = ?",
        [group_id],
    ).fetchone()
    if row is None:
        return None
    members = [GroupMember(str(m["country"]), str(m["intent"])) for m in json.loads(row[3])]
    refused: dict[str, Any] = json.loads(row[4]) if row[4] else {}
    return RequestGroup(row[0], row[1], row[2], members, {k: str(v) for k, v in refused.items()}, row[5], row[6])


def post_summary(db: sqlite_utils.Database, group_id: str) -> None:
    """Queue the group's summary message, once however often this is called."""
    with write(db):
        if not outbox.has_item(db, group_id, outbox.GROUP_SUMMARY):
            outbox.enqueue(db, group_id, outbox.GROUP_SUMMARY)


def post_summary_if_settled(db: sqlite_utils.Database, group_id: str) -> bool:
    """post_summary once no country's submission is still being performed (recovery settled the
    last of a submission cut off by a crash); False while one is."""
    group = get_group(db, group_id)
    if group is None:
        return False
    keys = [member.intent for member in group.members]
    marks = ", ".join("?" for _ in keys)
    intended = db.execute(f"SELECT 1 FROM intents WHERE key IN ({marks}) AND state = 'intended' LIMIT 1", keys)
    if intended.fetchone() is not None:
        return False
    post_summary(db, group_id)
    return True


def record_summary(db: sqlite_utils.Database, group_id: str, channel: str, ts: str) -> None:
    """Where the summary was posted, to update it there."""
    db.execute("UPDATE request_groups SET message_channel = ?, message_ts = ? WHERE id = ?", [channel, ts, group_id])
