"""A modal submission that changes something at a provider, performed once however often it arrives.

The first submission is acked with a "working…" view, performed, and its modal updated with the
outcome. A repeat of it (a double click, Slack's client resending, a replay) makes no call: it is
acked with the first one's outcome, or, while that is still being performed, with the same
"working…" view and then updated with the outcome once there is one. So every caller's modal ends
on the same, true outcome, and a late duplicate can never overwrite it with something else.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.replies import update_view
from bot.slack.views import message_view
from bot.store.intents import Intent, IntentState, get_intent
from bot.usecases.common import view_key
from bot.usecases.runner import UseCase, Wanted, carry_out, claim_intent, wait_settled

if TYPE_CHECKING:
    from bot.services import Services


Render = Callable[[Intent], dict[str, Any]]
# How long a repeat waits for the first submission's outcome before showing "still working".
REPEAT_WAIT_SECONDS = 60.0


# The one tolerant views.update (bot/slack/replies.py), by the name request_forms.py calls it.
show = update_view


def busy_view(title: str, intent: Intent, doing: str) -> dict[str, Any]:
    return message_view(
        title,
        f":hourglass_flowing_sand: <@{intent.actor}> is {doing} right now.",
        ["Nothing more was sent. The outcome appears where that change was made."],
    )


async def answer_repeat(
    services: Services,
    client: AsyncWebClient,
    ack,
    view_id: str,
    intent: Intent,
    *,
    working: dict[str, Any],
    render: Render,
) -> None:
    """A submission already performed (or being performed): its outcome, no second call."""
    if intent.state != IntentState.INTENDED:
        await ack(response_action="update", view=render(intent))
        return
    await ack(response_action="update", view=working)
    acked_at = time.monotonic()
    settled = await wait_settled(services, intent.key, REPEAT_WAIT_SECONDS)
    if settled is not None:
        await show(client, view_id, render(settled), acked_at=acked_at)


async def submit_once(
    services: Services,
    client: AsyncWebClient,
    ack,
    view: dict[str, Any],
    *,
    use_case: UseCase,
    wanted: Wanted,
    working: dict[str, Any],
    render: Render,
    busy: Callable[[Intent], dict[str, Any]],
    after: Callable[[Intent], Awaitable[None]] | None = None,
) -> Intent | None:
    """Claim, ack, perform and show the outcome (see the module docstring). `after` runs once
    the outcome is shown, for the first submission only (e.g. refresh the list underneath).
    Returns the intent this submission performed, None for a repeat or a busy target."""
    claimed = await claim_intent(services, use_case, wanted)
    if not claimed.claimed:
        if claimed.busy:
            await ack(response_action="update", view=busy(claimed.intent))
        else:
            await answer_repeat(services, client, ack, view["id"], claimed.intent, working=working, render=render)
        return None
    await ack(response_action="update", view=working)
    acked_at = time.monotonic()
    intent = await carry_out(services, use_case, claimed.intent)
    await show(client, view["id"], render(intent), acked_at=acked_at)
    if after is not None:
        await after(intent)
    return intent


def earlier(services: Services, key: str) -> Intent | None:
    """The intent a submission with this key already made, if any."""
    return get_intent(services.db, key)


async def answered_as_repeat(
    services: Services, client: AsyncWebClient, ack, view: dict[str, Any], *, working: dict[str, Any], render: Render
) -> bool:
    """True when this submission was made before and has been answered as a repeat. Checked first,
    so that a repeat is answered even when what the first one used is gone (its draft, a permission)."""
    found = earlier(services, view_key(view))
    if found is None:
        return False
    await answer_repeat(services, client, ack, view["id"], found, working=working, render=render)
    return True
