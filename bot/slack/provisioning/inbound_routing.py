"""Inbound routing of one number: its number-level application/entity and its inbound
configurations by keyword, each with an application/entity of its own.

Opened by the `number_routing` button (value: the numberKey) wherever a number is shown (the
my-numbers rows, an association's details), or from the association list's "Inbound routing…",
which asks for the number first. The modal says which setting wins: a matching inbound
configuration's application/entity over the number level.

Routing managers get the pickers, Add/Edit and Save; everyone else sees the same facts read-only.
"""

from __future__ import annotations

import asyncio
import json
import time
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.associations import (
    INBOUND_CHANNELS_FOR_NUMBERS,
    keyword_problem,
    looks_like_phone_number,
    platform_snapshot,
    resource_id_problem,
)
from bot.providers.infobip import iterate_numbers
from bot.providers.infobip.errors import InfobipError, InfobipNotFound
from bot.providers.infobip.models import (
    Application,
    Entity,
    InboundConfiguration,
    InboundConfigurationRequest,
    Number,
    OwnedNumbersQuery,
)
from bot.services import Services
from bot.slack.acks import errors_response, settle_after_ack
from bot.slack.blocks import delete_button, fits_options, option
from bot.slack.middleware import form_values, view_metadata
from bot.slack.mrkdwn import escape, mrkdwn_text, plain_text, truncate
from bot.slack.permissions import ROUTING, Actor
from bot.slack.platform_pickers import (
    APPLICATION_BLOCK,
    application_block,
    entity_block,
    load_platforms,
    read_platform_choice,
)
from bot.slack.provisioning.common import (
    SLOW_TEXT,
    ChangeFailed,
    ChangeForm,
    answered_before_change,
    asked_by,
    banners,
    before_ack,
    create_platforms,
    failure_text,
    finish_in_form,
    make_change,
    origin_channel,
    raise_for_outcome,
    refused,
)
from bot.slack.provisioning.owned import typed_number_key
from bot.slack.provisioning.text import PRECEDENCE_NOTE, keyword_label, platform_change_text, platform_text, route_text
from bot.slack.provisioning.view_state import ViewState
from bot.slack.replies import open_child, update_view
from bot.slack.views import loading_view, message_view, modal
from bot.usecases import set_number_platform
from bot.usecases.common import action_key, view_key
from bot.usecases.runner import carry_out, claim_intent
from bot.usecases.set_number_platform import SET_NUMBER_PLATFORM

ROUTING_VIEW = "inbound_routing"
KEYWORD_VIEW = "inbound_keyword"
PICK_VIEW = "routing_pick"
ROUTING_ACTION = "number_routing"  # shared with the my-numbers rows: value = numberKey
OPEN_PICK_ACTION = "routing_open"
ADD_ACTION = "keyword_add"
EDIT_ACTION = "keyword_edit"
DELETE_ACTION = "keyword_delete"
NUMBER_BLOCK = "routingNumber"
KEYWORD_BLOCK = "keyword"
CHANNEL_BLOCK = "inboundChannel"
_MAX_ROWS = 60
TITLE = "Inbound routing"
NUMBER_LEVEL_FORM = ChangeForm(TITLE, "Saving the number-level routing…", "change inbound routing")
KEYWORD_FORM = ChangeForm("Inbound configuration", "Saving at Infobip…", "change inbound routing")


def _number_shown(number: Number | None, number_key: str) -> str:
    return f"+{escape(number.number)}" if number and number.number else f"`{escape(number_key)}`"


def _inbound_channels(number: Number) -> list[str]:
    capabilities = {str(c) for c in number.capabilities or []}
    return [c for c in INBOUND_CHANNELS_FOR_NUMBERS if c in capabilities]


def _platform_of(config: InboundConfiguration) -> tuple[str | None, str | None]:
    platform = config.platform
    return (platform.application_id, platform.entity_id) if platform else (None, None)


def _same_keyword(a: str | None, b: str | None) -> bool:
    return (a or "").casefold() == (b or "").casefold()


# ---- Loading ---------------------------------------------------------------------------------------


async def _configurations(services: Services, number: Number) -> list[InboundConfiguration]:
    channels = _inbound_channels(number)
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
    channels = _inbound_channels(number)
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
        application_id, entity_id = _platform_of(config)
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
    await ack(response_action="update", view=loading_view(TITLE, "Loading the number's routing from Infobip…"))
    acked_at = time.monotonic()
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
    await ack(response_action="update", view=loading_view(TITLE, "Saving the number-level routing…"))
    acked_at = time.monotonic()
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


# ---- Keyword configurations --------------------------------------------------------------------------------


def keyword_view(
    state: ViewState,
    number: Number,
    config: InboundConfiguration | None,
    applications: list[Application],
    entities: list[Entity],
    *,
    error: str | None = None,
    initial: dict[str, str | None] | None = None,
) -> dict:
    initial = initial or {}
    channels = _inbound_channels(number)
    if config is None and not channels:
        return message_view(
            "Inbound configuration",
            f"Number {_number_shown(number, state.target or '')} takes no "
            "SMS or MMS, so it can have no inbound message configuration.",
        )
    blocks = banners(error)
    application_id, entity_id = _platform_of(config) if config else (None, None)
    blocks.append(
        {
            "type": "context",
            "elements": [
                mrkdwn_text(
                    f"Number {_number_shown(number, state.target or '')}. "
                    "A configuration's application and entity win over "
                    "the number level for the messages it matches; without them, the number level applies."
                )
            ],
        }
    )
    if config is None:
        options = [option(c, c) for c in channels]
        blocks.append(
            {
                "type": "input",
                "block_id": CHANNEL_BLOCK,
                "label": plain_text("Channel", 2000),
                "element": {
                    "type": "static_select",
                    "action_id": "value",
                    "options": options,
                    "initial_option": next((o for o in options if o["value"] == initial.get("channel")), options[0]),
                },
            }
        )
    else:
        blocks.append({"type": "section", "text": mrkdwn_text(f"*Channel* {escape(str(config.channel))}")})
    keyword_element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": "value",
        "max_length": 50,
        "placeholder": plain_text("e.g. STOP", 150),
    }
    keyword = initial.get("keyword", config.keyword if config else None)
    if keyword:
        keyword_element["initial_value"] = keyword
    blocks += [
        {
            "type": "input",
            "block_id": KEYWORD_BLOCK,
            "optional": True,
            "label": plain_text("Keyword", 2000),
            "hint": plain_text(
                "One word, matched against the first word of a message, whatever its case. Leave it "
                "empty for the configuration that catches every message no keyword matches.",
                2000,
            ),
            "element": keyword_element,
        },
        application_block(
            applications,
            initial.get("application", application_id),
            allow_new=True,
            none_label="None: the number level applies",
            label="Application",
        ),
        entity_block(entities, initial.get("entity", entity_id), allow_new=True, label="Entity"),
    ]
    if config is not None:
        blocks.append(
            {
                "type": "actions",
                "block_id": "delete",
                "elements": [
                    delete_button(
                        "Delete configuration",
                        DELETE_ACTION,
                        config.configuration_key,
                        question="Delete configuration?",
                        warning=f"{_keyword_plain(config.keyword)} will follow another matching configuration "
                        "or the number level.",
                    )
                ],
            }
        )
    title = "Edit configuration" if config else "New configuration"
    return modal(title, blocks, private_metadata=state, callback_id=KEYWORD_VIEW, submit="Save", close="Back")


def _keyword_plain(keyword: str | None) -> str:
    """Whose messages a configuration routes, in words for a plain_text dialog."""
    return f"Messages with the keyword “{truncate(keyword, 60)}”" if keyword else "Messages without a matching keyword"


async def keyword_clicked(
    services: Services, ack, body: dict, client: AsyncWebClient, actor: Actor, metadata: ViewState
) -> None:
    """Add (value: numberKey) or Edit (value: [channel, configurationKey]) in the routing modal."""
    await ack()
    parent, parent_state = body["view"], metadata
    if await refused(client, actor, parent_state.channel_id, "change inbound routing"):
        return
    action = body["actions"][0]
    channel = configuration_key = None
    if action["action_id"] == EDIT_ACTION:
        try:
            channel, configuration_key = json.loads(action.get("value") or "")
        except (ValueError, TypeError):
            return
    number_key = parent_state.target or ""
    view_id, pushed = await open_child(client, body, loading_view("Inbound configuration", "Loading…"))
    state = parent_state.but(
        configuration_key=configuration_key, channel=channel, parent_view_id=parent["id"] if pushed else None
    )
    try:
        number = await services.infobip.get_owned_number(number_key)
        config = None
        if configuration_key:
            found = await services.infobip.get_inbound_configurations(
                channel, configuration_key=configuration_key, number_key=number_key
            )
            config = next((c for c in found if c.configuration_key == configuration_key), None)
            if config is None:
                await update_view(
                    client, view_id, message_view("Inbound configuration", "This configuration is not there any more.")
                )
                return
        applications, entities = await load_platforms(services.infobip)
    except InfobipError as error:
        await update_view(
            client, view_id, message_view("Inbound configuration", failure_text("load the configuration", error))
        )
        return
    if config:
        application_id, entity_id = _platform_of(config)
        state = state.but(extra={"kw": config.keyword, "a": application_id, "e": entity_id, "n": number.number})
    else:
        state = state.but(extra={"n": number.number})
    await update_view(client, view_id, keyword_view(state, number, config, applications, entities))


async def keyword_submitted(
    services: Services, ack, body: dict, client: AsyncWebClient, actor: Actor, values: dict, metadata: ViewState
) -> None:
    view, user, state = body["view"], actor.id, metadata
    if await answered_before_change(services, client, ack, view, actor, KEYWORD_FORM):
        return
    editing = state.configuration_key is not None
    channel = state.channel if editing else values.get(CHANNEL_BLOCK)
    keyword = (values.get(KEYWORD_BLOCK) or "").strip() or None
    errors: dict[str, str] = {}
    if channel not in INBOUND_CHANNELS_FOR_NUMBERS:
        errors[CHANNEL_BLOCK] = "Pick SMS or MMS."
    if problem := keyword_problem(keyword):
        errors[KEYWORD_BLOCK] = problem
    choice, platform_errors = read_platform_choice(values)
    errors.update(platform_errors)
    if errors:
        await ack(errors_response(errors))
        return
    number_key = state.target or ""
    try:
        existing = await before_ack(services.infobip.get_inbound_configurations(channel, number_key=number_key))
    except TimeoutError:
        await ack(errors_response({KEYWORD_BLOCK: SLOW_TEXT}))
        return
    except InfobipError:
        existing = []  # Infobip will still refuse what it can't take
    clash = next(
        (c for c in existing if _same_keyword(c.keyword, keyword) and c.configuration_key != state.configuration_key),
        None,
    )
    if clash is not None:
        what = f"keyword “{clash.keyword}”" if clash.keyword else "messages without a keyword"
        await ack(
            errors_response(
                {KEYWORD_BLOCK: f"{channel} already has a configuration for {what}: edit that one instead."}
            )
        )
        return
    await ack(response_action="update", view=loading_view("Inbound configuration", "Saving at Infobip…"))
    acked_at = time.monotonic()
    platform = {k: v for k, v in (("applicationId", choice.application_id), ("entityId", choice.entity_id)) if v}
    extras: dict[str, Any] = {"numberKey": number_key}
    if editing:
        extras["configurationKey"] = state.configuration_key
    if platform:
        extras["platform"] = platform
    request = InboundConfigurationRequest(
        channel=channel, keyword=keyword, unset=["PLATFORM"] if editing else None, **extras
    )
    shown = f"+{escape(state.extra['n'])}" if state.extra.get("n") else f"`{escape(number_key)}`"
    target = f"{number_key} {keyword or '*'}"
    route = route_text(choice.application_id, choice.entity_id)
    after = {
        "channel": channel,
        "keyword": keyword,
        "platform": platform_snapshot(choice.application_id, choice.entity_id),
    }
    if editing:
        old_keyword = state.extra.get("kw")
        action = "routing.keyword.update"
        audit_entry = {
            "target": target,
            "after": {"configurationKey": state.configuration_key, **after},
            "before": {
                "configurationKey": state.configuration_key,
                "channel": channel,
                "keyword": old_keyword,
                "platform": platform_snapshot(state.extra.get("a"), state.extra.get("e")),
            },
        }
        renamed = "" if _same_keyword(old_keyword, keyword) else f" (was {keyword_label(old_keyword)})"
        text = (
            f":twisted_rightwards_arrows: <@{user}> changed the inbound configuration for {keyword_label(keyword)}"
            f"{renamed} on {shown} ({escape(channel)}): {route}."
        )
        done = f":white_check_mark: Saved the configuration for {keyword_label(keyword)}: {route}."
    else:
        action, audit_entry = "routing.keyword.create", {"target": target, "after": after}
        text = (
            f":twisted_rightwards_arrows: <@{user}> added an inbound configuration for {keyword_label(keyword)} "
            f"on {shown} ({escape(channel)}): {route}."
        )
        done = f":white_check_mark: Added the configuration for {keyword_label(keyword)}: {route}."
    try:
        asked = asked_by(services, view_key(view), user, state, view["id"])
        await create_platforms(services, asked, choice)
        await make_change(
            services,
            action,
            asked,
            target=f"keyword:{number_key}:{channel}:{keyword or '*'}",
            call=request.to_wire(),
            audit_entry=audit_entry,
            notice=text,
            done_text=done,
        )
    except (ChangeFailed, InfobipError) as failure:
        text = failure.text if isinstance(failure, ChangeFailed) else failure_text("save the configuration", failure)
        await settle_after_ack(acked_at)
        await _show_keyword_form_again(
            services,
            client,
            view["id"],
            state,
            text,
            {"channel": channel, "keyword": keyword, "application": choice.application_id, "entity": choice.entity_id},
        )
        return
    await settle_after_ack(acked_at)
    await _finish(services, client, actor, view["id"], state, done)


async def _show_keyword_form_again(
    services: Services,
    client: AsyncWebClient,
    view_id: str,
    state: ViewState,
    error: str,
    initial: dict[str, str | None],
) -> None:
    try:
        number = await services.infobip.get_owned_number(state.target or "")
        applications, entities = await load_platforms(services.infobip)
        config = None
        if state.configuration_key:
            found = await services.infobip.get_inbound_configurations(
                state.channel or "SMS", configuration_key=state.configuration_key, number_key=state.target
            )
            config = next((c for c in found if c.configuration_key == state.configuration_key), None)
    except InfobipError:
        await update_view(client, view_id, message_view("Inbound configuration", error))
        return
    if state.configuration_key and config is None:
        await update_view(client, view_id, message_view("Inbound configuration", error))
        return
    await update_view(
        client, view_id, keyword_view(state, number, config, applications, entities, error=error, initial=initial)
    )


async def _finish(
    services: Services, client: AsyncWebClient, actor: Actor, view_id: str, state: ViewState, notice: str
) -> None:
    """After a change in the configuration form: say so there and refresh the routing modal under it."""
    routing_state = state.but(configuration_key=None, channel=None, parent_view_id=None, extra={})
    await finish_in_form(
        client,
        view_id,
        state,
        notice,
        title="Inbound configuration",
        refreshed=lambda: build_routing(services, actor, routing_state, notice=notice),
    )


async def delete_clicked(
    services: Services, ack, body: dict, client: AsyncWebClient, actor: Actor, metadata: ViewState
) -> None:
    await ack()
    user, view, state = actor.id, body["view"], metadata
    if await refused(client, actor, state.channel_id, "change inbound routing"):
        return
    configuration_key = body["actions"][0].get("value") or ""
    keyword = state.extra.get("kw")
    number_key = state.target or ""
    shown = f"+{escape(state.extra['n'])}" if state.extra.get("n") else f"`{escape(number_key)}`"
    before = {
        "configurationKey": configuration_key,
        "channel": state.channel,
        "keyword": keyword,
        "platform": platform_snapshot(state.extra.get("a"), state.extra.get("e")),
    }
    try:
        intent = await make_change(
            services,
            "routing.keyword.delete",
            asked_by(services, action_key(body), user, state),
            target=f"configuration:{configuration_key}",
            call={"configurationKey": configuration_key, "channel": state.channel or "SMS", "numberKey": number_key},
            audit_entry={"target": f"{number_key} {keyword or '*'}", "before": before},
            notice=f":wastebasket: <@{user}> deleted the inbound configuration for {keyword_label(keyword)} on "
            f"{shown} ({escape(state.channel or '')}). Those messages now follow another matching "
            "configuration or the number level.",
        )
    except (ChangeFailed, InfobipError) as error:
        text = error.text if isinstance(error, ChangeFailed) else failure_text("delete the configuration", error)
        await update_view(client, view["id"], message_view("Inbound configuration", text))
        return
    if intent.outcome.get("already"):
        notice = f":information_source: The configuration for {keyword_label(keyword)} was already gone."
    else:
        notice = f":white_check_mark: Deleted the configuration for {keyword_label(keyword)}."
    await _finish(services, client, actor, view["id"], state, notice)


def register(app: AsyncApp, services: Services) -> None:
    state = view_metadata(ViewState)  # also read from the my-numbers modal, for its channel
    app.action(ROUTING_ACTION, middleware=[state])(partial(routing_clicked, services))
    app.action(OPEN_PICK_ACTION, middleware=[state])(partial(pick_clicked, services))
    app.action(ADD_ACTION, middleware=[state])(partial(keyword_clicked, services))
    app.action(EDIT_ACTION, middleware=[state])(partial(keyword_clicked, services))
    app.action(DELETE_ACTION, middleware=[state])(partial(delete_clicked, services))
    app.view(PICK_VIEW, middleware=[state, form_values])(partial(pick_submitted, services))
    app.view(ROUTING_VIEW, middleware=[state, form_values])(partial(routing_submitted, services))
    app.view(KEYWORD_VIEW, middleware=[state, form_values])(partial(keyword_submitted, services))
