"""Slack Events API deliveries already handled, by event_id (bot/slack/listeners/once.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlite_utils

from bot.store.db import write

# Slack retries for minutes, and a signed request can be replayed for five: a day is plenty.
KEEP = timedelta(days=1)


def first_delivery(db: sqlite_utils.Database, event_id: str) -> bool:
    """Record the event; False when it was recorded before (a retry or a replay)."""
    now = datetime.now(UTC)
    with write(db):
        inserted = (
            db.execute(
                "INSERT OR IGNORE INTO slack_events_seen (event_id, seen_at) VALUES (?, ?)",
                [event_id, now.isoformat(timespec="milliseconds")],
            ).rowcount
            == 1
        )
        if inserted and hash(event_id) % 100 == 0:  # now and then, forget the old ones
            db.execute("DELETE FROM slack_events_seen WHERE seen_at < ?", [(now - KEEP).isoformat()])
    return inserted
