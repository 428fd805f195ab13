"""The sandbox's clock: real time plus an offset that tests and the demo can move forward."""

from __future__ import annotations

from datetime import datetime, timezone

from bot.clock import Clock as SandboxClock  # the bot's movable clock serves the sandbox too

__all__ = ["SandboxClock", "infobip_timestamp"]


def infobip_timestamp(moment: datetime) -> str:
    """Infobip's date format: `2025-03-11T09:22:47.000+0000` (no colon in the offset)."""
    moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"
