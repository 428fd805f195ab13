"""Modal submissions: the launcher and the request forms."""

from __future__ import annotations

import json
import time

from slack_bolt.async_app import AsyncApp

from bot.domain.commands import CommandError, NumberForm, SenderForm, parse_country
from bot.domain.form_values import flatten_state_values
from bot.domain.validation import errors_response
from bot.services import Services
from bot.slack.listeners.commands import form_context
from bot.slack.request_forms import handle_submission, show_form
from bot.slack.views import LAUNCHER, REQUEST_FORM, loading_view


def launcher_choice(values: dict, channel_id: str | None) -> SenderForm | NumberForm | dict[str, str]:
    """The launcher's answers as a command, or inline errors by block_id."""
    try:
        country = parse_country(str(values.get("country") or ""))
    except CommandError as error:
        return {"country": str(error)}
    if values.get("what") != "number":
        return SenderForm(country)
    number_type = values.get("number_type") or ("TEN_DIGIT_LONG_CODE" if country == "US" else "VIRTUAL_LONG_NUMBER")
    capabilities = tuple(values.get("capabilities") or ()) or ("SMS",)
    quantity = int(values.get("quantity") or 1)
    return NumberForm(country, number_type, capabilities, quantity)


def register(app: AsyncApp, services: Services) -> None:
    @app.view(REQUEST_FORM)
    async def request_form_submitted(ack, body, client) -> None:
        await handle_submission(services, client, ack, body)

    @app.view(LAUNCHER)
    async def launcher_submitted(ack, body, client) -> None:
        view = body["view"]
        channel_id = json.loads(view.get("private_metadata") or "{}").get("ch")
        choice = launcher_choice(flatten_state_values(view["state"]["values"]), channel_id)
        if isinstance(choice, dict):
            await ack(errors_response(choice))
            return
        await ack(response_action="update", view=loading_view("New request", "Loading the requirements from Infobip…"))
        await show_form(services, client, view_id=view["id"], user=body["user"]["id"],
                        context=form_context(choice, channel_id), acked_at=time.monotonic())
