"""Acknowledging a modal submission: with errors under its fields, or with a view that is updated
right after the ack without losing the race to it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from bot.slack.views import loading_view

# Bolt answers Slack up to ~10 ms after ack() returns (it polls), and Slack applies a
# `response_action: update` only when that answer arrives: a views.update that gets there first is
# overwritten by the ack's loading view, leaving the person at "Submitting…" for good. An update
# that follows such an ack is sent no sooner than this after it.
ACK_SETTLE_SECONDS = 0.25


def errors_response(errors: Mapping[str, str]) -> dict[str, Any]:
    """The ack body that shows `errors` ({block_id: message}) under their fields in the modal."""
    return {"response_action": "errors", "errors": dict(errors)}


async def settle_after_ack(acked_at: float | None) -> None:
    """Give Slack time to apply the ack made at `acked_at` (time.monotonic) before updating the view."""
    if acked_at is not None:
        await asyncio.sleep(max(0.0, ACK_SETTLE_SECONDS - (time.monotonic() - acked_at)))


async def ack_with_loading_view(ack: Callable[..., Awaitable[Any]], title: str, text: str) -> float:
    """Ack a submission by turning the modal into a loading view; returns when (time.monotonic),
    for `settle_after_ack` before the view shows the outcome."""
    await ack(response_action="update", view=loading_view(title, text))
    return time.monotonic()
