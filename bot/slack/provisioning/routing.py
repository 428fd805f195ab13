"""A number's routing modal: its number-level application/entity, and its inbound configurations
by keyword listed with Add/Edit (the form is in `keywords`); and the picker that asks which number.

Opened by the `number_routing` button (value: the numberKey) wherever a number is shown (the
my-numbers rows, an association's details), or from the association list's "Inbound routing…",
which asks for the number first. The modal says which setting wins: a matching inbound
configuration's application/entity over the number level.

Routing managers get the pickers, Add/Edit and Save; everyone else sees the same facts read-only.
"""

from __future__ import annotations

import asyncio
import json
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.associations import INBOUND_CHANNELS_FOR_NUMBERS, looks_like_phone_number, resource_id_problem
from bot.providers.infobip import iterate_numbers
from bot.providers.infobip.errors import InfobipError, InfobipNotFound
from bot.providers.infobip.models import Application, Entity, InboundConfiguration, Number, OwnedNumbersQuery
from bot.services import Services
from bot.slack.acks import ack_with_loading_view, errors_response, settle_after_ack
from bot.slack.blocks import fits_options, option
from bot.slack.middleware import form_values, view_metadata
from bot.slack.mrkdwn import escape, mrkdwn_text, plain_text
from bot.slack.permissions import ROUTING, Actor
from bot.slack.platform_pickers import (
    APPLICATION_BLOCK,
    application_block,
    entity_block,
    load_platforms,
    read_platform_choice,
)
from bot.slack.provisioning.common import (
    ChangeFailed,
    ChangeForm,
    answered_before_change,
    asked_by,
    banners,
    create_platforms,
    failure_text,
    origin_channel,
    raise_for_outcome,
)
from bot.slack.provisioning.owned import typed_number_key
from bot.slack.provisioning.text import PRECEDENCE_NOTE, keyword_label, platform_change_text, platform_text, route_text
from bot.slack.provisioning.view_state import ViewState
from bot.slack.replies import open_child, update_view
from bot.slack.views import loading_view, message_view, modal
from bot.usecases import set_number_platform
from bot.usecases.common import view_key
from bot.usecases.runner import carry_out, claim_intent
from bot.usecases.set_number_platform import SET_NUMBER_PLATFORM

ROUTING_VIEW = "inbound_routing"
PICK_VIEW = "routing_pick"
ROUTING_ACTION = "number_routing"  # shared with the my-numbers rows: value = numberKey
OPEN_PICK_ACTION = "routing_open"
ADD_ACTION = "keyword_add"  # the keyword form's buttons, shown here (bot/slack/provisioning/keywords.py)
EDIT_ACTION = "keyword_edit"
NUMBER_BLOCK = "routingNumber"
_MAX_ROWS = 60
TITLE = "Inbound routing"
NUMBER_LEVEL_FORM = ChangeForm(TITLE, "Saving the number-level routing…", "change inbound routing")


def inbound_channels(number: Number) -> list[str]:
    capabilities = {str(c) for c in number.capabilities or []}
    return [c for c in INBOUND_CHANNELS_FOR_NUMBERS if c in capabilities]


def platform_of(config: InboundConfiguration) -> tuple[str | None, str | None]:
    platform = config.platform
    return (platform.application_id, platform.entity_id) if platform else (None, None)


# ---- Loading ---------------------------------------------------------------------------------------


async def _configurations(services: Services, number: Number) -> list[InboundConfiguration]:
    channels = inbound_channels(number)
    found = await asyncio.gather(
        *(services.infobip.get_inbound_configurations(channel, number_key=number.number_key) for channel in channels)
    )
    configurations = [c for batch in found for c in batch]
    # Keywords first (alphabetically), the catch-all (no keyword) last, per channel.
    return sorted(configurations, key=lambda c: (str(c.channel), c.keyword is None, (c.keyword or "").casefold()))


async def build_routing(services: Services, actor: Actor, state: ViewState, *, notice: str | None = None) -> dict:
    number_key = state.target or ""
    may_change = actor.may(ROUTING)
    try:
        number = await services.infobip.get_owned_number(number_key)
        platforms = load_platforms(services.infobip) if may_change else asyncio.sleep(0, ([], []))
        configurations, (applications, entities) = await asyncio.gather(_configurations(services, number), platforms)
    except InfobipNotFound:
        return message_view(TITLE, f"The account has no number `{escape(number_key)}` (any more).")
    except InfobipError as error:
        return message_view(TITLE, failure_text("load the number's routing", error))
    return routing_view(state, number, configurations, applications, entities, may_change=may_change, notice=notice)


def routing_view(
    state: ViewState,
    number: Number,
    configurations: list[InboundConfiguration],
    applications: list[Application],
    entities: list[Entity],
    *,
    may_change: bool,
    notice: str | None = None,
) -> dict:
    number_key = number.number_key or state.target or ""
    state = state.but(target=number_key, extra={"a": number.application_id, "e": number.entity_id, "n": number.number})
    details = " · ".join(
        p for p in (number.country, number.type, ", ".join(str(c) for c in number.capabilities or [])) if p
    )
    blocks = banners(notice)
    blocks += [
        {"type": "header", "text": plain_text(f"+{number.number}" if number.number else number_key, 150)},
        {"type": "context", "elements": [mrkdwn_text(f"{escape(details)} · numberKey `{escape(number_key)}`")]},
        {"type": "section", "text": mrkdwn_text(PRECEDENCE_NOTE)},
        {"type": "divider"},
        {
            "type": "section",
            "text": mrkdwn_text(
                "*Number level* · used when no matching inbound configuration sets an application or entity"
                + ("" if may_change else f"\n→ {platform_text(number.application_id, number.entity_id)}")
            ),
        },
    ]
    if may_change:
        blocks += [
            application_block(applications, number.application_id, label="Number-level application", allow_new=True),
            entity_block(entities, number.entity_id, label="Number-level entity", allow_new=True),
        ]
    channels = inbound_channels(number)
    heading: dict[str, Any] = {
        "type": "section",
        "block_id": "configurations",
        "text": mrkdwn_text("*Inbound configurations* · by keyword, each may route elsewhere"),
    }
    if may_change and channels:
        heading["accessory"] = {
            "type": "button",
            "action_id": ADD_ACTION,
            "text": plain_text("➕ Add", 75),
            "value": number_key,
        }
    blocks += [{"type": "divider"}, heading]
    if not channels:
        blocks.append(
            {
                "type": "context",
                "elements": [
                    mrkdwn_text("This number takes no SMS or MMS, so it has no inbound message configurations.")
                ],
            }
        )
    elif not configurations:
        blocks.append(
            {
                "type": "context",
                "elements": [mrkdwn_text("_None yet: every inbound message follows the number level._")],
            }
        )
    for index, config in enumerate(configurations[:_MAX_ROWS]):
        application_id, entity_id = platform_of(config)
        row: dict[str, Any] = {
            "type": "section",
            "block_id": f"config.{index}",
            "text": mrkdwn_text(
                f"{keyword_label(config.keyword)} · {escape(str(config.channel))}\n"
                f"→ {route_text(application_id, entity_id)}"
            ),
        }
        if may_change:
            row["accessory"] = {
                "type": "button",
                "action_id": EDIT_ACTION,
                "text": plain_text("Edit", 75),
                "value": json.dumps([str(config.channel), config.configuration_key], separators=(",", ":")),
            }
        blocks.append(row)
    if len(configurations) > _MAX_ROWS:
        blocks.append(
            {
                "type": "context",
                "elements": [mrkdwn_text(f"…and {len(configurations) - _MAX_ROWS} more configurations, not shown.")],
            }
        )
    if not may_change:
        blocks.append(
            {
                "type": "context",
                "elements": [mrkdwn_text("You can look; only routing managers can change inbound routing.")],
            }
        )
    return modal(
        TITLE,
        blocks,
        private_metadata=state,
        callback_id=ROUTING_VIEW,
        submit="Save number level" if may_change else None,
        close="Close",
    )


# ---- Opening -------------------------------------------------------------------------------------


async def routing_clicked(
    services: Services, ack, body: dict, client: AsyncWebClient, actor: Actor, metadata: ViewState
) -> None:
    """`number_routing` (value: numberKey), from a message or from a modal."""
    await ack()
    number_key = body["actions"][0].get("value") or ""
    view_id, _ = await open_child(client, body, loading_view(TITLE, "Loading the number's routing from Infobip…"))
    state = ViewState(channel_id=origin_channel(body, metadata), target=number_key)
    await update_view(client, view_id, await build_routing(services, actor, state))


async def pick_clicked(services: Services, ack, body: dict, client: AsyncWebClient, metadata: ViewState) -> None:
    """ "Inbound routing…" in the association list: ask which number first."""
    await ack()
    state = ViewState(channel_id=origin_channel(body, metadata))
    view_id, _ = await open_child(client, body, loading_view(TITLE, "Loading the account's numbers…"))
    options: list[dict] = []
    too_many = False
    try:
        async for number in iterate_numbers(
            lambda page: services.infobip.list_owned_numbers(OwnedNumbersQuery(page=page, limit=100))
        ):
            if number.number_key:
                label = " · ".join(p for p in (f"+{number.number}", number.country) if p)
                options.append(option(number.number_key, label))
            if len(options) > 100:
                too_many = True
                break
    except InfobipError as error:
        await update_view(client, view_id, message_view(TITLE, failure_text("list the account's numbers", error)))
        return
    if options and not too_many and fits_options([o["value"] for o in options]):
        element: dict[str, Any] = {
            "type": "static_select",
            "action_id": "value",
            "options": options,
            "placeholder": plain_text("Pick a number", 150),
        }
        hint = "The account's numbers."
    elif not options:
        await update_view(
            client,
            view_id,
            message_view(TITLE, "The account owns no numbers yet: buy one with `/resource numbers &lt;country&gt;`."),
        )
        return
    else:
        element = {
            "type": "plain_text_input",
            "action_id": "value",
            "max_length": 255,
            "placeholder": plain_text("e.g. +447700900123, or a numberKey", 150),
        }
        hint = "Type the number's digits or its numberKey."
    blocks = [
        {
            "type": "input",
            "block_id": NUMBER_BLOCK,
            "label": plain_text("Number", 2000),
            "hint": plain_text(hint, 2000),
            "element": element,
        },
        {"type": "context", "elements": [mrkdwn_text(PRECEDENCE_NOTE)]},
    ]
    await update_view(
        client,
        view_id,
        modal(TITLE, blocks, private_metadata=state, callback_id=PICK_VIEW, submit="Show routing", close="Back"),
    )


async def pick_submitted(
    services: Services, ack, body: dict, client: AsyncWebClient, actor: Actor, values: dict, metadata: ViewState
) -> None:
    view, state = body["view"], metadata
    typed = (values.get(NUMBER_BLOCK) or "").strip()
    number_key: str | None = typed
    if looks_like_phone_number(typed):
        number_key, problem = await typed_number_key(services, typed, NUMBER_BLOCK)
    elif error := resource_id_problem("NUMBER", typed):
        problem = {NUMBER_BLOCK: error}
    else:
        problem = {}
    if problem:
        await ack(errors_response(problem))
        return
    acked_at = await ack_with_loading_view(ack, TITLE, "Loading the number's routing from Infobip…")
    routing = await build_routing(services, actor, state.but(target=number_key))
    await settle_after_ack(acked_at)
    await update_view(client, view["id"], routing)


# ---- Number level ---------------------------------------------------------------------------------------


async def routing_submitted(
    services: Services, ack, body: dict, client: AsyncWebClient, actor: Actor, values: dict, metadata: ViewState
) -> None:
    view, user, state = body["view"], actor.id, metadata
    if await answered_before_change(services, client, ack, view, actor, NUMBER_LEVEL_FORM):
        return
    choice, errors = read_platform_choice(values)
    if choice.application_id is None and APPLICATION_BLOCK not in errors:
        errors[APPLICATION_BLOCK] = "A number always has an application; pick one (`default` is the usual)."
    if errors:
        await ack(errors_response(errors))
        return
    acked_at = await ack_with_loading_view(ack, NUMBER_LEVEL_FORM.title, NUMBER_LEVEL_FORM.working)
    number_key = state.target or ""
    before = (state.extra.get("a"), state.extra.get("e"))
    after = (choice.application_id, choice.entity_id)
    shown = f"+{escape(state.extra['n'])}" if state.extra.get("n") else f"`{escape(number_key)}`"
    try:
        asked = asked_by(services, view_key(view), user, state, view["id"])
        await create_platforms(services, asked, choice)
        intent = None
        if after != before:
            claimed = await claim_intent(
                services,
                SET_NUMBER_PLATFORM,
                set_number_platform.wanted(
                    asked, number_key=number_key, number=state.extra.get("n"), before=before, after=after
                ),
            )
            if claimed.busy:
                raise ChangeFailed(
                    f":hourglass_flowing_sand: <@{claimed.intent.actor}> is changing this number "
                    "right now; nothing more was sent."
                )
            intent = raise_for_outcome(
                await carry_out(services, SET_NUMBER_PLATFORM, claimed.intent) if claimed.claimed else claimed.intent
            )
    except ChangeFailed as failed:
        notice = failed.text
    except InfobipError as error:
        notice = failure_text(f"change the number-level routing of {shown}", error)
    else:
        if intent is None:
            notice = ":information_source: The number level was already set so; nothing changed."
        else:
            notice = (
                ":white_check_mark: Number level saved: "
                f"{platform_change_text(before, set_number_platform.now_on(intent))}."
            )
    routing = await build_routing(services, actor, state, notice=notice)
    await settle_after_ack(acked_at)
    await update_view(client, view["id"], routing)


def register(app: AsyncApp, services: Services) -> None:
    state = view_metadata(ViewState)  # also read from the my-numbers modal, for its channel
    app.action(ROUTING_ACTION, middleware=[state])(partial(routing_clicked, services))
    app.action(OPEN_PICK_ACTION, middleware=[state])(partial(pick_clicked, services))
    app.view(PICK_VIEW, middleware=[state, form_values])(partial(pick_submitted, services))
    app.view(ROUTING_VIEW, middleware=[state, form_values])(partial(routing_submitted, services))
