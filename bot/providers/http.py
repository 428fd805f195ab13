"""HTTP details every provider client shares."""

from __future__ import annotations

import email.utils
import time
from datetime import UTC

import httpx

# A request extension naming the client's operation (e.g. "get-resource-request"), so an event
# hook can tell the calls apart without parsing URLs (bot/metrics.py times them by it).
OPERATION_EXTENSION = "resourcebot_operation"


def retry_after_seconds(headers: httpx.Headers, now: float | None = None) -> float | None:
    """`Retry-After` in seconds (it may be a number of seconds or an HTTP date); None if absent."""
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # "-0000": a UTC time of unknown origin
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))
