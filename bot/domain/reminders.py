"""When to remind a requester that a request waits for them. Pure.

Infobip rejects a request left 30 days in an UPDATE_REQUESTED status and reminds after 3, 15 and
27 idle days. The bot adds its own reminder after a configurable idle time, repeats it weekly,
and never posts more than one reminder a day for a request, whoever sent it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain.statuses import can_update

AUTO_REJECTION_AFTER = timedelta(days=30)
MIN_GAP = timedelta(days=1)  # no reminder storms: at most one a day, any source
REPEAT_EVERY = timedelta(days=7)  # the bot's own reminders, after the first


def days_until_rejection(status_at: datetime, now: datetime) -> int:
    return max(0, (AUTO_REJECTION_AFTER - (now - status_at)).days)


def reminder_due(
    status: str, status_at: datetime, last_reminded_at: datetime | None, now: datetime, idle_after: timedelta
) -> bool:
    """Whether the bot should remind now about a request in `status` since `status_at`."""
    if not can_update(status) or now - status_at < idle_after:
        return False
    if last_reminded_at is None or last_reminded_at < status_at:  # nothing yet in this wait
        return True
    return now - last_reminded_at >= REPEAT_EVERY


def reminder_allowed(last_reminded_at: datetime | None, now: datetime) -> bool:
    """A provider's reminder is shown unless one was posted in the last day."""
    return last_reminded_at is None or now - last_reminded_at >= MIN_GAP
