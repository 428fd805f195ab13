"""Modal submissions: the launcher and the request forms."""

from __future__ import annotations

import time
from functools import partial

from slack_bolt.async_app import AsyncApp

from bot.domain.commands import (
    CmNumber,
    Command,
    CommandError,
    NumberForm,
    NumbersSearch,
    RcsForm,
    parse_countries,
    parse_country,
    sender_form,
)
from bot.services import Services
from bot.slack.acks import errors_response
from bot.slack.command_table import LAUNCHER_COMMANDS, handler_for
from bot.slack.form_context import FormContext
from bot.slack.invocation import Invocation
from bot.slack.middleware import form_values, view_metadata
from bot.slack.multi_forms import MULTI_FORM, MultiFormContext, handle_multi_submission
from bot.slack.permissions import Actor
from bot.slack.request_forms import handle_submission
from bot.slack.view_metadata import Origin
from bot.slack.views import LAUNCHER, REQUEST_FORM, loading_view

# Choices that take no country: the command table's sample of each is the command itself.
_WITHOUT_COUNTRY = {what: LAUNCHER_COMMANDS[what] for what in ("my-numbers", "associate", "associations", "profiles")}
_COUNTRY_OPTIONAL = {"cm-number": CmNumber}


def launcher_choice(values: dict) -> Command | dict[str, str]:
    """The launcher's answers as a command, or inline errors by block_id."""
    what = values.get("what") or "sender"
    if what in _WITHOUT_COUNTRY:
        return _WITHOUT_COUNTRY[what]
    if what in _COUNTRY_OPTIONAL and not values.get("country"):
        return _COUNTRY_OPTIONAL[what]()
    if not values.get("country"):
        return {"country": "Which country? Type its two-letter code or its name."}
    if what == "sender":  # a sender ID may be asked for in several countries with one form
        try:
            return sender_form(parse_countries(str(values["country"])))
        except CommandError as error:
            return {"country": str(error)}
    try:
        country = parse_country(str(values["country"]))
    except CommandError as error:
        return {"country": str(error)}
    capabilities = tuple(values.get("capabilities") or ())
    if what == "numbers":
        return NumbersSearch(country, capabilities)
    if what in _COUNTRY_OPTIONAL:
        return _COUNTRY_OPTIONAL[what](country)
    if what == "rcs":
        return RcsForm(country)  # a business headquartered in the country: `/resource rcs CC INTERNATIONAL` if not
    number_type = values.get("number_type") or ("TEN_DIGIT_LONG_CODE" if country == "US" else "VIRTUAL_LONG_NUMBER")
    return NumberForm(country, number_type, capabilities or ("SMS",), int(values.get("quantity") or 1))


async def request_form_submitted(
    services: Services, ack, body, client, actor: Actor, values: dict, metadata: FormContext
) -> None:
    await handle_submission(services, client, ack, body["view"], user=actor.id, context=metadata, values=values)


async def multi_form_submitted(
    services: Services, ack, body, client, actor: Actor, values: dict, metadata: MultiFormContext
) -> None:
    await handle_multi_submission(services, client, ack, body["view"], user=actor.id, context=metadata, values=values)


async def launcher_submitted(
    services: Services, ack, body, client, actor: Actor, values: dict, metadata: Origin
) -> None:
    view = body["view"]
    choice = launcher_choice(values)
    if isinstance(choice, dict):
        await ack(errors_response(choice))
        return
    handler = handler_for(choice)
    if handler is None:  # a choice from an older launcher whose feature is gone
        await ack(errors_response({"what": "This isn't available any more."}))
        return
    await ack(response_action="update", view=loading_view("New request", "Loading…"))
    await handler(
        Invocation(services, client, actor.id, metadata.channel_id, view_id=view["id"], acked_at=time.monotonic()),
        choice,
    )


def register(app: AsyncApp, services: Services) -> None:
    app.view(REQUEST_FORM, middleware=[view_metadata(FormContext), form_values])(
        partial(request_form_submitted, services)
    )
    app.view(MULTI_FORM, middleware=[view_metadata(MultiFormContext), form_values])(
        partial(multi_form_submitted, services)
    )
    app.view(LAUNCHER, middleware=[view_metadata(Origin), form_values])(partial(launcher_submitted, services))
