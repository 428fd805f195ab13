"""The sandbox's clock: real time plus an offset that tests and the demo can move forward."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.clock import Clock

__all__ = ["SandboxClock", "infobip_timestamp"]


class SandboxClock(Clock):
    """Infobip's time as the stand-in tells it: the same kind of clock as the bot's, but an
    object of its own (they are two systems, and a test moves one without the other)."""


def infobip_timestamp(moment: datetime) -> str:
    """Infobip's date format: `2025-03-11T09:22:47.000+0000` (no colon in the offset)."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"
