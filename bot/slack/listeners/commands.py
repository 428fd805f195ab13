"""`/resource`: parse the text, then open the right modal or answer ephemerally."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.domain.commands import USAGE, CommandError, Help, Launcher, NumberForm, SenderForm, parse_command
from bot.domain.forms import FormContext, RequestKind
from bot.domain.mrkdwn import escape
from bot.services import Services
from bot.slack.request_forms import open_new_form
from bot.slack.views import launcher_view


def form_context(command: SenderForm | NumberForm, channel_id: str | None) -> FormContext:
    if isinstance(command, SenderForm):
        return FormContext(kind=RequestKind.ALPHANUMERIC_REGISTRATION, country=command.country,
                           traffic_origin=command.traffic_origin, traffic_type=command.traffic_type,
                           channel_id=channel_id)
    return FormContext(kind=RequestKind.NUMBER_PURCHASE, country=command.country, number_type=command.number_type,
                       capabilities=command.capabilities, quantity=command.quantity, channel_id=channel_id)


def register(app: AsyncApp, services: Services) -> None:
    @app.command("/resource")
    async def resource_command(ack, body, client, respond) -> None:
        try:
            command = parse_command(body.get("text") or "")
        except CommandError as error:
            await ack(response_type="ephemeral", text=f"{escape(str(error))}\n\n{USAGE}")
            return
        if isinstance(command, Help):
            await ack(response_type="ephemeral", text=USAGE)
            return
        await ack()
        if isinstance(command, Launcher):
            await client.views_open(trigger_id=body["trigger_id"],
                                    view=launcher_view(channel_id=body.get("channel_id")))
            return
        await open_new_form(services, client, trigger_id=body["trigger_id"], user=body["user_id"],
                            context=form_context(command, body.get("channel_id")))
