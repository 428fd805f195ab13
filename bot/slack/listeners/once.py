"""Events API deliveries handled once: Slack retries an event it thinks went unanswered (with
`X-Slack-Retry-Num` and the same `event_id`), and a replayed request carries it too.

The first delivery of an event_id is recorded before its listener runs; any later one is
answered 200 and goes no further. Side effects of interactions are made once by their intents
(bot/usecases/), which recognise a repeated click or submission by its own key.
"""

from __future__ import annotations

import logging
from functools import partial

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse

from bot.services import Services
from bot.store.slack_events import first_delivery
from bot.store.worker import StoreBusy

log = logging.getLogger("bot.slack.once")


async def events_once(services: Services, body: dict, next) -> BoltResponse | None:  # noqa: A002 - Bolt's name
    event_id = body.get("event_id") if body.get("type") == "event_callback" else None
    if event_id:
        try:
            first = await services.store.run(first_delivery, str(event_id), budget=1.0)
        except StoreBusy:  # handled rather than lost: a retry would be handled again
            log.warning("event %s: the database is busy, handled without checking for a repeat", event_id)
            first = True
        if not first:
            log.info("event %s delivered again: already handled", event_id)
            return BoltResponse(status=200, body="")
    return await next()


def register(app: AsyncApp, services: Services) -> None:
    app.middleware(partial(events_once, services))
