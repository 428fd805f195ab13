"""Infobip's webhook results as the bot's provider-neutral events."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.events import EventKind, ProviderEvent
from bot.providers.infobip.models import Reminder, StatusChange

PROVIDER = "infobip"


def to_provider_events(results: list[StatusChange | Reminder], now: datetime | None = None) -> list[ProviderEvent]:
    now = now or datetime.now(UTC)
    events = []
    for result in results:
        raw = result.as_sent
        if isinstance(result, Reminder):
            reminder = result.content
            events.append(
                ProviderEvent(
                    provider=PROVIDER,
                    provider_request_id=reminder.id,
                    kind=EventKind.REMINDER,
                    occurred_at=result.received_at or now,
                    status=str(reminder.status),
                    days_until_rejection=reminder.days_until_rejection,
                    payload=raw,
                )
            )
            continue
        content = result.content
        events.append(
            ProviderEvent(
                provider=PROVIDER,
                provider_request_id=content.id,
                kind=EventKind.STATUS,
                occurred_at=result.received_at,
                status=str(content.status),
                feedback=[f.model_dump(mode="json", exclude_none=True) for f in content.requirements_feedback or []],
                note=content.note,
                numbers=[n.model_dump(mode="json", by_alias=True, exclude_none=True) for n in content.numbers or []],
                payload=raw,
            )
        )
    return events
