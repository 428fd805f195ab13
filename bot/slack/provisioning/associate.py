"""`/resource associate`: the form that associates a resource with an application and entity.

The resource type comes first; picking another type re-draws the channel and resource fields in
place (only the channels that type serves; the account's numbers, the senders the owned-resources
search finds, or a typed id). "➕ New application/entity…" creates one on the way. Infobip's 409
(the association exists) reads as "already in place", not as an error.
"""

from __future__ import annotations

import asyncio
import time
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.associations import (
    CHANNEL_LABELS,
    RESOURCE_ID_MEANING,
    RESOURCE_TYPES,
    AssociationKey,
    ViewState,
    channel_problem,
    channels_for,
    looks_like_phone_number,
    number_channel_problem,
    phone_digits,
    platform_text,
    resource_id_problem,
    resource_label,
)
from bot.domain.commands import Associate
from bot.domain.form_values import flatten_state_values
from bot.domain.mrkdwn import escape, mrkdwn_text, plain_text
from bot.domain.validation import errors_response
from bot.providers.infobip.errors import InfobipError, InfobipNotFound
from bot.providers.infobip.models import Application, Entity, ResourceAssociationRequest
from bot.services import Services
from bot.slack.acks import settle_after_ack
from bot.slack.intent_views import answered_as_repeat
from bot.slack.invocation import Invocation
from bot.slack.permissions import routing_refusal
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
    banner,
    before_ack,
    change_view,
    create_platforms,
    failure_text,
    is_conflict,
    make_change,
    modal,
    option,
    say,
)
from bot.slack.provisioning.owned import Owned, number_key_for, owned_resources
from bot.slack.replies import open_child, tell, update_view
from bot.slack.views import loading_view, message_view
from bot.usecases.common import view_key

TITLE = "Associate a resource"
ASSOCIATE_VIEW = "association_create"
TYPE_ACTION = "association_type"
NEW_ACTION = "association_new"
TYPE_BLOCK = "resourceType"


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
    blocks: list[dict] = []
    if error:
        blocks.append(banner(error))
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
    return modal(TITLE, blocks, state=state, callback_id=ASSOCIATE_VIEW, submit="Associate", close="Cancel")


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
    if not services.may_manage_routing(invocation.user):
        await say(invocation, TITLE, routing_refusal(services, "create associations"))
        return
    await invocation.loading(TITLE, "Loading applications, entities and the account's numbers…")
    await invocation.show(await build_associate(services, ViewState(channel_id=invocation.channel_id)))


async def type_changed(services: Services, ack, body: dict, client: AsyncWebClient) -> None:
    """The person picked another resource type: re-draw channel and resource for it."""
    await ack()
    view = body["view"]
    state = ViewState.load(view.get("private_metadata"))
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
        state=state.but(resource_type=chosen),
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


async def associate_submitted(services: Services, ack, body: dict, client: AsyncWebClient) -> None:
    view = body["view"]
    user = body["user"]["id"]
    state = ViewState.load(view.get("private_metadata"))
    if await answered_as_repeat(
        services,
        client,
        ack,
        view,
        render=change_view(TITLE),
        working=loading_view(TITLE, "Creating the association at Infobip…"),
    ):
        return
    if not services.may_manage_routing(user):
        await ack(response_action="update", view=message_view(TITLE, routing_refusal(services, "create associations")))
        return
    answers, errors = _read_associate(flatten_state_values(view["state"]["values"]), state)
    if errors:
        await ack(errors_response(errors))
        return
    resource_type, resource = answers["type"], answers["resource"]
    if resource_type == "NUMBER" and answers["typed"] and looks_like_phone_number(answers["typed"]):
        try:
            resource = await before_ack(number_key_for(services, answers["typed"]))
        except TimeoutError:
            await ack(errors_response({answers["typed_block"]: SLOW_TEXT}))
            return
        except InfobipError as error:
            await ack(errors_response({answers["typed_block"]: f"Could not look the number up: {error}"}))
            return
        if resource is None:
            await ack(
                errors_response(
                    {answers["typed_block"]: f"The account has no number +{phone_digits(answers['typed'])}."}
                )
            )
            return
    await ack(response_action="update", view=loading_view(TITLE, "Creating the association at Infobip…"))
    acked_at = time.monotonic()
    state = state.but(resource_type=resource_type)
    choice = answers["choice"]
    key = AssociationKey(resource_type, answers["channel"], choice.application_id, choice.entity_id, resource)
    shown = resource_label(resource_type, resource)
    channel_label = escape(CHANNEL_LABELS.get(key.channel, key.channel))
    try:
        if resource_type == "NUMBER":
            shown = await _checked_number(services, key)
        await create_platforms(services, user, state.channel_id, choice, view_key(view))
        done = (
            f":white_check_mark: Associated {shown} for {channel_label} with "
            f"{platform_text(key.application_id, key.entity_id)}."
        )
        await make_change(
            services,
            "association.create",
            key=view_key(view),
            actor=user,
            channel=state.channel_id,
            target=f"association:{resource_type}:{resource}:{key.channel}",
            view_id=view["id"],
            done_text=done,
            call=ResourceAssociationRequest(
                resource_type=resource_type,
                channel=key.channel,
                application_id=key.application_id,
                entity_id=key.entity_id,
                resource_id=key.resource_id,
            ).to_wire(),
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


async def new_clicked(services: Services, ack, body: dict, client: AsyncWebClient) -> None:
    await ack()
    user = body["user"]["id"]
    state = ViewState.load(body["view"].get("private_metadata"))
    if not services.may_manage_routing(user):
        await tell(client, user, state.channel_id, routing_refusal(services, "create associations"))
        return
    view_id, _ = await open_child(client, body, loading_view(TITLE, "Loading…"))
    await update_view(client, view_id, await build_associate(services, ViewState(channel_id=state.channel_id)))


def register(app: AsyncApp, services: Services) -> None:
    app.view(ASSOCIATE_VIEW)(partial(associate_submitted, services))
    app.action(TYPE_ACTION)(partial(type_changed, services))
    app.action(NEW_ACTION)(partial(new_clicked, services))
