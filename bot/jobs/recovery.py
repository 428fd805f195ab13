"""Recovering intents left open: at start-up, then on a schedule (see bot/usecases/runner.py).

A crash (or a lost answer) leaves an intent without an outcome. Each pass reads the provider for
each of them, records what really happened together with its audit entry and messages, tells
the person by DM, and shows the outcome in their modal if it is still open.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from slack_sdk.errors import SlackApiError

from bot.jobs.reconciler import settle_unconfirmed
from bot.slack import intent_messages
from bot.slack.intent_views import show
from bot.store.request_groups import post_summary_if_settled
from bot.usecases.registry import USE_CASES
from bot.usecases.runner import recover_open

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger("bot.jobs.recovery")


async def recover_intents(services: Services) -> int:
    """One pass; returns how many intents it moved on. Submissions whose answer was lost are
    looked for at Infobip in the same pass (one list call for all of them)."""
    changed = await recover_open(services, USE_CASES)
    give_up = timedelta(seconds=services.settings.resourcebot_unconfirmed_give_up_seconds)
    changed += await settle_unconfirmed(services.db, services.store, services.infobip, services.clock.now(), give_up)
    # Countries of one multi-country form (bot/slack/multi_forms.py): its summary, once all are settled.
    for group_id in sorted({str(i.context["group"]) for i in changed if i.context.get("group")}):
        await services.store.run(post_summary_if_settled, group_id)
    if changed:
        services.outbox.wake()
    for intent in changed:
        view = intent_messages.modal_view(services, intent)
        if view is None:
            continue
        try:  # the person may have closed it long ago: then the DM tells them
            await show(services.slack, intent.context.get("view_id"), view)
        except SlackApiError as error:
            log.info("could not update the modal of %s: %s", intent.key, error.response.get("error"))
    return len(changed)
