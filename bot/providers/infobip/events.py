"""Infobip's webhook results as the bot's provider-neutral events."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.events import EventKind, ProviderEvent
from bot.providers.infobip.models import Reminder, StatusChange

PROVIDER = "infobip"


def to_provider_events(results: list[StatusChange | Reminder], now: datetime | None = None) -> list[ProviderEvent]:
    now = now or datetime.now(UTC)
    return [_reminder(result, now) if isinstance(result, Reminder) else _status_change(result) for result in results]


def _reminder(result: Reminder, now: datetime) -> ProviderEvent:
    """The spec's reminder has no `receivedAt`: `now` stands in for it."""
    reminder = result.content
    return ProviderEvent(
        provider=PROVIDER,
        provider_request_id=reminder.id,
        kind=EventKind.REMINDER,
        occurred_at=result.received_at or now,
        status=str(reminder.status),
        days_until_rejection=reminder.days_until_rejection,
        payload=result.as_sent,
    )


def _status_change(result: StatusChange) -> ProviderEvent:
    content = result.content
    return ProviderEvent(
        provider=PROVIDER,
        provider_request_id=content.id,
        kind=EventKind.STATUS,
        occurred_at=result.received_at,
        status=str(content.status),
        feedback=[f.model_dump(mode="json", exclude_none=True) for f in content.requirements_feedback or []],
        note=content.note,
        numbers=[n.model_dump(mode="json", by_alias=True, exclude_none=True) for n in content.numbers or []],
        payload=result.as_sent,
    )
