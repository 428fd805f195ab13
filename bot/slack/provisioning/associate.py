"""`/resource associate`: the form that associates a resource with an application and entity.

The resource type comes first; picking another type re-draws the channel and resource fields in
place (only the channels that type serves; the account's numbers, the senders the owned-resources
search finds, or a typed id). "➕ New application/entity…" creates one on the way. Infobip's 409
(the association exists) reads as "already in place", not as an error.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.associations import (
    CHANNEL_LABELS,
    RESOURCE_ID_MEANING,
    RESOURCE_TYPES,
    AssociationKey,
    channel_problem,
    channels_for,
    looks_like_phone_number,
    number_channel_problem,
    resource_id_problem,
)
from bot.domain.commands import Associate
from bot.providers.infobip.errors import InfobipError, InfobipNotFound
from bot.providers.infobip.models import Application, Entity
from bot.services import Services
from bot.slack.acks import ack_with_loading_view, errors_response, settle_after_ack
from bot.slack.blocks import option
from bot.slack.invocation import Invocation
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
    association_call,
    banners,
    create_platforms,
    failure_text,
    is_conflict,
    make_change,
    refused,
    say,
)
from bot.slack.provisioning.owned import Owned, owned_resources, typed_number_key
from bot.slack.provisioning.text import platform_text, resource_label
from bot.slack.provisioning.view_state import ViewState
from bot.slack.replies import open_child, update_view
from bot.slack.views import loading_view, message_view, modal
from bot.usecases.common import view_key

TITLE = "Associate a resource"
ASSOCIATE_VIEW = "association_create"
TYPE_ACTION = "association_type"
NEW_ACTION = "association_new"
TYPE_BLOCK = "resourceType"
FORM = ChangeForm(TITLE, "Creating the association at Infobip…", "create associations")


def _blocks_of(resource_type: str) -> tuple[str, str, str, str]:
    """Block ids of the type-dependent fields; they carry the type, so a field drawn for another
    type never keeps a value picked for the previous one."""
    return (f"channel.{resource_type}", f"resource.{resource_type}", f"typed.{resource_type}", f"note.{resource_type}")


def type_dependent_blocks(resource_type: str, owned: Owned, initial: dict[str, str | None]) -> list[dict]:
    channel_block, resource_block, typed_block, note_block = _blocks_of(resource_type)
    kind = RESOURCE_TYPES[resource_type]
    channel_options = [option(c, CHANNEL_LABELS.get(c, c)) for c in channels_for(resource_type)]
    channel_element: dict[str, Any] = {
        "type": "static_select",
        "action_id": "value",
        "options": channel_options,
        "initial_option": next(
            (o for o in channel_options if o["value"] == initial.get("channel")), channel_options[0]
        ),
    }
    blocks: list[dict] = [
        {
            "type": "input",
            "block_id": channel_block,
            "label": plain_text("Channel", 2000),
            "hint": plain_text(f"Only the channels a {kind.lower()} can serve.", 2000),
            "element": channel_element,
        }
    ]
    if owned.note:
        blocks.append({"type": "context", "block_id": note_block, "elements": [mrkdwn_text(owned.note)]})
    typed_element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": "value",
        "max_length": 255,
        "placeholder": plain_text(RESOURCE_ID_MEANING[resource_type], 150),
    }
    if initial.get("typed"):
        typed_element["initial_value"] = initial["typed"]
    if owned.options:
        options = [option(value, label) for value, label in owned.options]
        select: dict[str, Any] = {
            "type": "static_select",
            "action_id": "value",
            "options": options,
            "placeholder": plain_text(f"Pick a {kind.lower()}", 150),
        }
        chosen = next((o for o in options if o["value"] == initial.get("resource")), None)
        if chosen:
            select["initial_option"] = chosen
        blocks.append(
            {
                "type": "input",
                "block_id": resource_block,
                "label": plain_text(kind, 2000),
                "optional": resource_type != "NUMBER",
                "element": select,
            }
        )
        if resource_type != "NUMBER":
            blocks.append(
                {
                    "type": "input",
                    "block_id": typed_block,
                    "optional": True,
                    "label": plain_text(f"…or type the {kind.lower()}", 2000),
                    "element": typed_element,
                }
            )
    else:
        hint = RESOURCE_ID_MEANING[resource_type] + (", or its digits" if resource_type == "NUMBER" else "")
        blocks.append(
            {
                "type": "input",
                "block_id": typed_block,
                "label": plain_text(kind, 2000),
                "hint": plain_text(f"Type {hint}.", 2000),
                "element": typed_element,
            }
        )
    return blocks


def associate_view(
    state: ViewState,
    owned: Owned,
    applications: list[Application],
    entities: list[Entity],
    *,
    initial: dict[str, str | None] | None = None,
    error: str | None = None,
) -> dict:
    initial = initial or {}
    type_options = [option(value, label) for value, label in RESOURCE_TYPES.items()]
    blocks = banners(error)
    blocks += [
        {
            "type": "context",
            "elements": [
                mrkdwn_text(
                    "Associate a resource with an application (and optionally an entity) so that sending strategies "
                    "and inbound routing can use it. Deleting the association later keeps the resource."
                )
            ],
        },
        {
            "type": "input",
            "block_id": TYPE_BLOCK,
            "dispatch_action": True,
            "label": plain_text("Resource type", 2000),
            "element": {
                "type": "static_select",
                "action_id": TYPE_ACTION,
                "options": type_options,
                "initial_option": next(o for o in type_options if o["value"] == state.resource_type),
            },
        },
        *type_dependent_blocks(state.resource_type, owned, initial),
        application_block(applications, initial.get("application"), allow_new=True),
        entity_block(entities, initial.get("entity"), label="Entity (optional)", allow_new=True),
    ]
    return modal(TITLE, blocks, private_metadata=state, callback_id=ASSOCIATE_VIEW, submit="Associate", close="Cancel")


async def build_associate(
    services: Services, state: ViewState, *, initial: dict[str, str | None] | None = None, error: str | None = None
) -> dict:
    try:
        (applications, entities), owned = await asyncio.gather(
            load_platforms(services.infobip), owned_resources(services, state.resource_type)
        )
    except InfobipError as failure:
        return message_view(TITLE, failure_text("load the applications and entities", failure))
    return associate_view(state, owned, applications, entities, initial=initial, error=error)


async def open_associate(invocation: Invocation, command: Associate) -> None:
    services = invocation.services
    if refusal := invocation.actor.refusal(ROUTING, "create associations"):
        await say(invocation, TITLE, refusal)
        return
    await invocation.loading(TITLE, "Loading applications, entities and the account's numbers…")
    await invocation.show(await build_associate(services, ViewState(channel_id=invocation.channel_id)))


async def type_changed(services: Services, ack, body: dict, client: AsyncWebClient, metadata: ViewState) -> None:
    """The person picked another resource type: re-draw channel and resource for it."""
    await ack()
    view, state = body["view"], metadata
    chosen = (body["actions"][0].get("selected_option") or {}).get("value")
    if chosen not in RESOURCE_TYPES or chosen == state.resource_type:
        return
    owned = await owned_resources(services, chosen)
    dependent = set(_blocks_of(state.resource_type))
    blocks: list[dict] = []
    for block in view["blocks"]:
        if block.get("block_id") in dependent or block.get("block_id") == "banner":
            continue
        blocks.append(block)
        if block.get("block_id") == TYPE_BLOCK:
            blocks += type_dependent_blocks(chosen, owned, {})
    new_view = modal(
        TITLE,
        blocks,
        private_metadata=state.but(resource_type=chosen),
        callback_id=ASSOCIATE_VIEW,
        submit="Associate",
        close="Cancel",
    )
    await update_view(client, view["id"], new_view, hash=view.get("hash"))


def _read_associate(values: dict[str, Any], state: ViewState) -> tuple[dict[str, Any], dict[str, str]]:
    """The form's answers and {block_id: message} for what's wrong, before any call."""
    resource_type = values.get(TYPE_BLOCK) or state.resource_type
    errors: dict[str, str] = {}
    if resource_type not in RESOURCE_TYPES:
        return {}, {TYPE_BLOCK: "Pick a resource type."}
    channel_block, resource_block, typed_block, _ = _blocks_of(resource_type)
    if channel_block not in values:
        return {}, {TYPE_BLOCK: "Pick the resource type again: its fields were not drawn yet."}
    channel = values.get(channel_block)
    if problem := channel_problem(resource_type, channel):
        errors[channel_block] = problem
    picked = values.get(resource_block)
    typed = (values.get(typed_block) or "").strip() or None
    if picked and typed:
        errors[typed_block] = "Pick one from the list or type one, not both."
    resource = picked or typed
    where = typed_block if typed_block in values else resource_block
    if not (resource_type == "NUMBER" and typed and looks_like_phone_number(typed)):
        if problem := resource_id_problem(resource_type, resource):
            errors.setdefault(where, problem)
    choice, platform_errors = read_platform_choice(values)
    errors.update(platform_errors)
    if choice.application_id is None and APPLICATION_BLOCK not in errors:
        errors[APPLICATION_BLOCK] = "Pick an application."
    answers = {
        "type": resource_type,
        "channel": channel,
        "resource": resource,
        "picked": picked,
        "typed": typed,
        "typed_block": where,
        "choice": choice,
    }
    return answers, errors


def _initial(answers: dict[str, Any]) -> dict[str, str | None]:
    choice = answers["choice"]
    return {
        "channel": answers["channel"],
        "resource": answers["picked"],
        "typed": answers["typed"],
        "application": choice.application_id,
        "entity": choice.entity_id,
    }


async def associate_submitted(
    services: Services, ack, body: dict, client: AsyncWebClient, actor: Actor, values: dict, metadata: ViewState
) -> None:
    view, user, state = body["view"], actor.id, metadata
    if await answered_before_change(services, client, ack, view, actor, FORM):
        return
    answers, errors = _read_associate(values, state)
    if errors:
        await ack(errors_response(errors))
        return
    resource_type, resource = answers["type"], answers["resource"]
    if resource_type == "NUMBER" and answers["typed"] and looks_like_phone_number(answers["typed"]):
        resource, problem = await typed_number_key(services, answers["typed"], answers["typed_block"])
        if problem:
            await ack(errors_response(problem))
            return
    acked_at = await ack_with_loading_view(ack, FORM.title, FORM.working)
    state = state.but(resource_type=resource_type)
    choice = answers["choice"]
    key = AssociationKey(resource_type, answers["channel"], choice.application_id, choice.entity_id, resource)
    shown = resource_label(resource_type, resource)
    channel_label = escape(CHANNEL_LABELS.get(key.channel, key.channel))
    try:
        if resource_type == "NUMBER":
            shown = await _checked_number(services, key)
        asked = asked_by(services, view_key(view), user, state, view["id"])
        await create_platforms(services, asked, choice)
        done = (
            f":white_check_mark: Associated {shown} for {channel_label} with "
            f"{platform_text(key.application_id, key.entity_id)}."
        )
        await make_change(
            services,
            "association.create",
            asked,
            target=f"association:{resource_type}:{resource}:{key.channel}",
            done_text=done,
            call=association_call(key),
            audit_entry={"target": f"{resource_type} {resource}", "after": key.snapshot()},
            notice=f":link: <@{user}> associated the {escape(RESOURCE_TYPES[resource_type].lower())} {shown} "
            f"for {channel_label} with {platform_text(key.application_id, key.entity_id)}.",
        )
    except ChangeFailed as failed:
        view_now = await build_associate(services, state, initial=_initial(answers), error=failed.text)
        await settle_after_ack(acked_at)
        await update_view(client, view["id"], view_now)
        return
    except InfobipError as error:
        await settle_after_ack(acked_at)
        if is_conflict(error):
            await update_view(
                client,
                view["id"],
                message_view(
                    "Already associated",
                    f":white_check_mark: This association is already in place: {shown} on "
                    f"{channel_label} → {platform_text(key.application_id, key.entity_id)}.",
                    ["Nothing was changed."],
                ),
            )
            return
        view_now = await build_associate(
            services, state, initial=_initial(answers), error=failure_text("create the association", error)
        )
        await update_view(client, view["id"], view_now)
        return
    await settle_after_ack(acked_at)
    await update_view(
        client, view["id"], message_view("Associated", done, ["See them all with `/resource associations`."])
    )


async def _checked_number(services: Services, key: AssociationKey) -> str:
    """The number as shown in messages, once it is known to be owned and able to carry the channel."""
    try:
        number = await services.infobip.get_owned_number(key.resource_id)
    except InfobipNotFound as error:
        raise ChangeFailed(f":warning: The account has no number `{escape(key.resource_id)}`.") from error
    except InfobipError as error:
        raise ChangeFailed(failure_text("look the number up", error)) from error
    if problem := number_channel_problem(key.channel, [str(c) for c in number.capabilities or []]):
        raise ChangeFailed(f":warning: {escape(problem)} Pick another channel or number.")
    return resource_label("NUMBER", key.resource_id, number.number)


async def new_clicked(
    services: Services, ack, body: dict, client: AsyncWebClient, actor: Actor, metadata: ViewState
) -> None:
    await ack()
    if await refused(client, actor, metadata.channel_id, "create associations"):
        return
    view_id, _ = await open_child(client, body, loading_view(TITLE, "Loading…"))
    await update_view(client, view_id, await build_associate(services, ViewState(channel_id=metadata.channel_id)))


def register(app: AsyncApp, services: Services) -> None:
    state = view_metadata(ViewState)
    app.view(ASSOCIATE_VIEW, middleware=[state, form_values])(partial(associate_submitted, services))
    app.action(TYPE_ACTION, middleware=[state])(partial(type_changed, services))
    app.action(NEW_ACTION, middleware=[state])(partial(new_clicked, services))
