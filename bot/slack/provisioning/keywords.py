"""The form for one of a number's inbound configurations: a keyword (or none, the catch-all) on a
channel, with an application/entity of its own. Opened by Add or Edit in the routing modal
(`routing`); saving it, or deleting it (`keyword_delete`), refreshes that modal under it.

Only routing managers (bot/slack/permissions.py) may open it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.associations import INBOUND_CHANNELS_FOR_NUMBERS, keyword_problem, platform_snapshot
from bot.providers.infobip.errors import InfobipError
from bot.providers.infobip.models import Application, Entity, InboundConfiguration, InboundConfigurationRequest, Number
from bot.services import Services
from bot.slack.acks import ack_with_loading_view, errors_response, settle_after_ack
from bot.slack.blocks import delete_button, option
from bot.slack.middleware import form_values, view_metadata
from bot.slack.mrkdwn import escape, mrkdwn_text, plain_text, truncate
from bot.slack.permissions import Actor
from bot.slack.platform_pickers import (
    PlatformChoice,
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
    refused,
)
from bot.slack.provisioning.routing import ADD_ACTION, EDIT_ACTION, build_routing, inbound_channels, platform_of
from bot.slack.provisioning.text import keyword_label, route_text
from bot.slack.provisioning.view_state import ViewState
from bot.slack.replies import open_child, update_view
from bot.slack.views import loading_view, message_view, modal
from bot.usecases.common import view_key

KEYWORD_VIEW = "inbound_keyword"
DELETE_ACTION = "keyword_delete"  # the form's Delete button (bot/slack/provisioning/keyword_delete.py)
KEYWORD_BLOCK = "keyword"
CHANNEL_BLOCK = "inboundChannel"
KEYWORD_FORM = ChangeForm("Inbound configuration", "Saving at Infobip…", "change inbound routing")


def _number_shown(number: Number | None, number_key: str) -> str:
    return f"+{escape(number.number)}" if number and number.number else f"`{escape(number_key)}`"


def _same_keyword(a: str | None, b: str | None) -> bool:
    return (a or "").casefold() == (b or "").casefold()


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
    channels = inbound_channels(number)
    if config is None and not channels:
        return message_view(
            "Inbound configuration",
            f"Number {_number_shown(number, state.target or '')} takes no "
            "SMS or MMS, so it can have no inbound message configuration.",
        )
    blocks = banners(error)
    application_id, entity_id = platform_of(config) if config else (None, None)
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
        application_id, entity_id = platform_of(config)
        state = state.but(extra={"kw": config.keyword, "a": application_id, "e": entity_id, "n": number.number})
    else:
        state = state.but(extra={"n": number.number})
    await update_view(client, view_id, keyword_view(state, number, config, applications, entities))


@dataclass(frozen=True)
class KeywordChange:
    """What saving the form asks of Infobip, and how the change is recorded and told."""

    action: str
    target: str
    call: dict[str, Any]
    audit_entry: dict[str, Any]
    notice: str
    done: str


def _read_keyword_form(state: ViewState, values: dict) -> tuple[Any, str | None, PlatformChoice, dict[str, str]]:
    """The channel, keyword and application/entity the form asks for, and what is wrong with them."""
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
    return channel, keyword, choice, errors


async def _keyword_taken(services: Services, state: ViewState, channel: str, keyword: str | None) -> dict[str, str]:
    """The form's error if another configuration on `channel` has that keyword already (or Infobip
    is too slow to say before the ack); none when it is free."""
    try:
        existing = await before_ack(services.infobip.get_inbound_configurations(channel, number_key=state.target or ""))
    except TimeoutError:
        return {KEYWORD_BLOCK: SLOW_TEXT}
    except InfobipError:
        existing = []  # Infobip will still refuse what it can't take
    clash = next(
        (c for c in existing if _same_keyword(c.keyword, keyword) and c.configuration_key != state.configuration_key),
        None,
    )
    if clash is None:
        return {}
    what = f"keyword “{clash.keyword}”" if clash.keyword else "messages without a keyword"
    return {KEYWORD_BLOCK: f"{channel} already has a configuration for {what}: edit that one instead."}


def _keyword_change(
    user: str, state: ViewState, channel: str, keyword: str | None, choice: PlatformChoice
) -> KeywordChange:
    """Creating the configuration, or updating the one being edited, as the form asks."""
    number_key = state.target or ""
    editing = state.configuration_key is not None
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
    return KeywordChange(
        action=action,
        target=f"keyword:{number_key}:{channel}:{keyword or '*'}",
        call=request.to_wire(),
        audit_entry=audit_entry,
        notice=text,
        done=done,
    )


async def keyword_submitted(
    services: Services, ack, body: dict, client: AsyncWebClient, actor: Actor, values: dict, metadata: ViewState
) -> None:
    """Save in the form: read and check it (answered in the form), then make the change and show
    how it went."""
    view, user, state = body["view"], actor.id, metadata
    if await answered_before_change(services, client, ack, view, actor, KEYWORD_FORM):
        return
    channel, keyword, choice, errors = _read_keyword_form(state, values)
    if not errors:
        errors = await _keyword_taken(services, state, channel, keyword)
    if errors:
        await ack(errors_response(errors))
        return
    acked_at = await ack_with_loading_view(ack, KEYWORD_FORM.title, KEYWORD_FORM.working)
    change = _keyword_change(user, state, channel, keyword, choice)
    try:
        asked = asked_by(services, view_key(view), user, state, view["id"])
        await create_platforms(services, asked, choice)
        await make_change(
            services,
            change.action,
            asked,
            target=change.target,
            call=change.call,
            audit_entry=change.audit_entry,
            notice=change.notice,
            done_text=change.done,
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
    await finish(services, client, actor, view["id"], state, change.done)


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


async def finish(
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


def register(app: AsyncApp, services: Services) -> None:
    state = view_metadata(ViewState)
    app.action(ADD_ACTION, middleware=[state])(partial(keyword_clicked, services))
    app.action(EDIT_ACTION, middleware=[state])(partial(keyword_clicked, services))
    app.view(KEYWORD_VIEW, middleware=[state, form_values])(partial(keyword_submitted, services))
