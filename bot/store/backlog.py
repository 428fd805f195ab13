"""What is waiting, read at scrape time for /metrics: Slack deliveries not made yet, and changes
at a provider without a final outcome (intents the recovery pass will look up)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlite_utils

from bot.store.intents import OPEN_STATES


@dataclass(frozen=True)
class Backlog:
    outbox_pending: int
    # Seconds since the oldest undelivered item was queued; 0 when nothing waits.
    outbox_oldest_age_seconds: float
    # Open intents by state ("intended", "unknown"); every open state present, 0 when none.
    open_intents: dict[str, int] = field(default_factory=dict)


def read_backlog(db: sqlite_utils.Database, now: datetime | None = None) -> Backlog:
    now = now or datetime.now(UTC)
    pending, oldest = db.execute("SELECT COUNT(*), MIN(created_at) FROM outbox WHERE delivered_at IS NULL").fetchone()
    age = 0.0
    if oldest:
        queued = datetime.fromisoformat(oldest)
        queued = queued if queued.tzinfo else queued.replace(tzinfo=UTC)  # written in UTC
        age = max(0.0, (now - queued).total_seconds())
    by_state = {str(state): 0 for state in OPEN_STATES}
    for state, count in db.execute("SELECT state, COUNT(*) FROM intents WHERE open = 1 GROUP BY state").fetchall():
        by_state[state] = count
    return Backlog(pending, age, by_state)
