"""Reminding requesters whose requests wait for their update (thread reply and a DM)."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlite_utils

from bot.domain.events import EventKind, ProviderEvent
from bot.domain.reminders import days_until_rejection, reminder_due
from bot.domain.statuses import EDITABLE_STATUSES
from bot.store.events import Outcome, record_events
from bot.store.requests import list_requests


def send_due_reminders(db: sqlite_utils.Database, now: datetime, idle_after: timedelta) -> int:
    """Queue a reminder for every request that is due one; returns how many were queued."""
    queued = 0
    for request in list_requests(db, statuses=[str(s) for s in EDITABLE_STATUSES], limit=None):
        if not request.status_at or not request.provider_request_id:
            continue
        status_at = datetime.fromisoformat(request.status_at)
        last = datetime.fromisoformat(request.last_reminded_at) if request.last_reminded_at else None
        if not reminder_due(request.status, status_at, last, now, idle_after):
            continue
        event = ProviderEvent(
            provider=request.provider,
            provider_request_id=request.provider_request_id,
            kind=EventKind.REMINDER,
            occurred_at=now,
            status=request.status,
            days_until_rejection=days_until_rejection(status_at, now),
            source="bot",
        )
        [recorded] = record_events(db, [event], now=now)
        queued += recorded.outcome == Outcome.REMINDER
    return queued
