"""`/resource`: parse the text, then open the right modal or answer ephemerally."""

from __future__ import annotations

from dataclasses import replace

from slack_bolt.async_app import AsyncApp

from bot.domain.commands import (
    USAGE,
    Associate,
    Associations,
    CmNumber,
    CommandError,
    Help,
    Launcher,
    ListRequests,
    MyNumbers,
    NumberForm,
    NumbersSearch,
    SenderForm,
    ShowRequest,
    parse_command,
)
from bot.domain.forms import FormContext, RequestKind
from bot.domain.mrkdwn import escape
from bot.services import Services
from bot.slack.cm_requests import NOT_CONFIGURED
from bot.slack.invocation import Invocation, handler_for, handles
from bot.slack.my_requests import list_answer, status_answer
from bot.slack.request_forms import show_form
from bot.slack.views import LAUNCHER_CHOICES, launcher_view
from bot.store.requests import get_request, list_requests


# A sample command of each launcher choice, to tell whether its feature is there.
LAUNCHER_COMMANDS = {
    "sender": SenderForm("HR"), "number": NumberForm("HR", "VIRTUAL_LONG_NUMBER", ("SMS",), 1),
    "numbers": NumbersSearch("HR"), "my-numbers": MyNumbers(), "associate": Associate(),
    "associations": Associations(), "cm-number": CmNumber(),
}


def launcher_choices(services: Services) -> set[str]:
    """What the launcher offers: the features that are there, CM.com only when it is configured."""
    return {value for value, _ in LAUNCHER_CHOICES if handler_for(LAUNCHER_COMMANDS[value]) is not None
            and (value != "cm-number" or services.cm is not None)}


def form_context(command: SenderForm | NumberForm, channel_id: str | None) -> FormContext:
    if isinstance(command, SenderForm):
        return FormContext(kind=RequestKind.ALPHANUMERIC_REGISTRATION, country=command.country,
                           traffic_origin=command.traffic_origin, traffic_type=command.traffic_type,
                           channel_id=channel_id)
    return FormContext(kind=RequestKind.NUMBER_PURCHASE, country=command.country, number_type=command.number_type,
                       capabilities=command.capabilities, quantity=command.quantity, channel_id=channel_id)


@handles(SenderForm, NumberForm)
async def open_request_form(invocation: Invocation, command: SenderForm | NumberForm) -> None:
    view_id = await invocation.loading("New request", "Loading the requirements from Infobip…")
    await show_form(invocation.services, invocation.client, view_id=view_id, user=invocation.user,
                    context=form_context(command, invocation.channel_id), acked_at=invocation.acked_at)


def register(app: AsyncApp, services: Services) -> None:
    @app.command("/resource")
    async def resource_command(ack, body, client) -> None:
        try:
            command = parse_command(body.get("text") or "")
        except CommandError as error:
            await ack(response_type="ephemeral", text=f"{escape(str(error))}\n\n{USAGE}")
            return
        if isinstance(command, ListRequests):
            user = body["user_id"]
            command = replace(command, everyone=command.everyone and services.is_admin(user))  # admins only
            requests = list_requests(services.db, requester=None if command.everyone else user, limit=None)
            await ack(response_type="ephemeral", **list_answer(requests, command))
            return
        if isinstance(command, ShowRequest):
            found = get_request(services.db, command.request_id)
            if found and found.requester != body["user_id"] and not services.is_admin(body["user_id"]):
                found = None  # someone else's request, perhaps in a private channel: not shown
            await ack(response_type="ephemeral", **status_answer(found, command))
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
            await client.views_open(trigger_id=body["trigger_id"], view=launcher_view(
                channel_id=body.get("channel_id"), available=launcher_choices(services)))
            return
        await handler(Invocation(services, client, body["user_id"], body.get("channel_id"),
                                 trigger_id=body["trigger_id"]), command)
