"""`/resource`: parse the text, then open the right modal or answer ephemerally."""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from slack_bolt.async_app import AsyncApp

from bot.domain.commands import (
    USAGE,
    CmNumber,
    CommandError,
    Help,
    Launcher,
    ListRequests,
    ShowRequest,
    Spend,
    parse_command,
)
from bot.services import Services
from bot.slack.cm_requests import NOT_CONFIGURED
from bot.slack.command_table import handler_for, launcher_choices
from bot.slack.invocation import Invocation
from bot.slack.mrkdwn import escape
from bot.slack.my_requests import list_answer, status_answer
from bot.slack.permissions import Actor, spend_refusal
from bot.slack.views import launcher_view
from bot.store.requests import get_request, list_requests


async def resource_command(services: Services, ack, body, client, actor: Actor) -> None:
    try:
        command = parse_command(body.get("text") or "")
    except CommandError as error:
        await ack(response_type="ephemeral", text=f"{escape(str(error))}\n\n{USAGE}")
        return
    if isinstance(command, ListRequests):
        command = replace(command, everyone=command.everyone and actor.is_admin)  # admins only
        requests = list_requests(services.db, requester=None if command.everyone else actor.id, limit=None)
        await ack(response_type="ephemeral", **list_answer(requests, command))
        return
    if isinstance(command, ShowRequest):
        found = get_request(services.db, command.request_id)
        if found and found.requester != actor.id and not actor.is_admin:
            found = None  # someone else's request, perhaps in a private channel: not shown
        await ack(response_type="ephemeral", **status_answer(found, command))
        return
    if isinstance(command, Spend) and not services.may_see_spend(actor.id):
        await ack(response_type="ephemeral", text=f":lock: {spend_refusal(services)}")
        return
    if isinstance(command, CmNumber) and services.cm is None:
        await ack(response_type="ephemeral", text=NOT_CONFIGURED)
        return
    handler = handler_for(command)
    if isinstance(command, Help) or (handler is None and not isinstance(command, Launcher)):
        await ack(response_type="ephemeral", text=USAGE)
        return
    await ack()
    if isinstance(command, Launcher):
        await client.views_open(
            trigger_id=body["trigger_id"],
            view=launcher_view(channel_id=body.get("channel_id"), available=launcher_choices(services)),
        )
        return
    await handler(
        Invocation(services, client, actor.id, body.get("channel_id"), trigger_id=body["trigger_id"]), command
    )


def register(app: AsyncApp, services: Services) -> None:
    app.command("/resource")(partial(resource_command, services))
