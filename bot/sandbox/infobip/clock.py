"""The sandbox's clock: real time plus an offset that tests and the demo can move forward."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

__all__ = ["SandboxClock", "infobip_timestamp"]


class SandboxClock:
    """Infobip's time as the stand-in tells it; its own, not the bot's (they are two systems)."""

    def __init__(self) -> None:
        self._offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def advance(self, delta: timedelta) -> None:
        self._offset += delta


def infobip_timestamp(moment: datetime) -> str:
    """Infobip's date format: `2025-03-11T09:22:47.000+0000` (no colon in the offset)."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"
