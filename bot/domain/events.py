"""What a provider says happened to a request, in one shape whatever the provider."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


class EventKind(StrEnum):
    STATUS = "status"
    REMINDER = "reminder"


@dataclass(frozen=True)
class ProviderEvent:
    """A status change or reminder for one request, whatever provider it came from."""

    provider: str
    provider_request_id: str
    kind: EventKind
    occurred_at: datetime
    status: str | None = None
    feedback: list[dict[str, Any]] = field(default_factory=list)
    note: str | None = None
    numbers: list[dict[str, Any]] = field(default_factory=list)
    days_until_rejection: int | None = None
    source: str = "webhook"  # webhook | bot | reconciler
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def dedupe_key(self) -> str:
        # A reminder's time is when it arrived, so it is left out: its day count identifies it.
        occurred = (
            ""
            if self.kind == EventKind.REMINDER
            else self.occurred_at.astimezone(UTC).isoformat(timespec="milliseconds")
        )
        parts = [
            self.provider,
            self.provider_request_id,
            self.kind,
            self.status or "",
            occurred,
            str(self.days_until_rejection or ""),
        ]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
