"""What a CM.com number request read back means for the bot: a provider-neutral status event."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from bot.domain.events import EventKind, ProviderEvent
from bot.providers.cm.models import CmNumberRequest

PROVIDER = "cm"


class ShownRequest(Protocol):
    """What the thread shows of a request (the store's request row has these)."""

    @property
    def status(self) -> str | None: ...
    @property
    def numbers(self) -> Sequence[Any] | None: ...
    @property
    def note(self) -> str | None: ...


def numbers_of(state: CmNumberRequest) -> list[dict[str, str]]:
    return [{"number": number} for number in state.numbers]


def changed(request: ShownRequest, state: CmNumberRequest) -> bool:
    """Whether what CM.com says differs from what the thread shows (a replayed callback doesn't)."""
    return (
        (state.status or "") != request.status
        or numbers_of(state) != (request.numbers or [])
        or (state.reason or None) != request.note
    )


def to_provider_event(state: CmNumberRequest, request_id: str, read_at: datetime) -> ProviderEvent:
    """CM.com's object carries no reliable time of change, so the read's own time orders it: each
    read shows the request as it is now, later reads being newer."""
    return ProviderEvent(
        provider=PROVIDER,
        provider_request_id=request_id,
        kind=EventKind.STATUS,
        occurred_at=read_at,
        status=state.status or "Pending",
        note=state.reason,
        numbers=numbers_of(state),
        source="webhook",
        payload=state.model_dump(mode="json", by_alias=True, exclude={"callback_url"}),
    )
