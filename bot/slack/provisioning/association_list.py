"""`/resource associations [type=…] [app=…] [entity=…] [channel=…] [resource=…]`: the associations,
paged inside the modal and filtered by the command's filters or the filter inputs under the list.
Each row has Details (Infobip's single-association lookup) and Delete (confirmed; the resource
itself stays). The list also leads to a new association, applications & entities, and the
inbound routing of a number.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import asdict, replace
from functools import partial

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.associations import (
    ANY,
    CHANNEL_LABELS,
    FILTER_BLOCKS,
    PAGE_SIZE,
    RESOURCE_TYPES,
    AssociationFilter,
    AssociationKey,
    filter_from_values,
    filter_problems,
    looks_like_phone_number,
    page_label,
)
from bot.domain.commands import Associations
from bot.providers.infobip.errors import InfobipError, InfobipNotFound
from bot.providers.infobip.models import Application, Entity
from bot.services import Services
from bot.slack.acks import ack_with_loading_view, errors_response, settle_after_ack
from bot.slack.blocks import button, delete_button, input_block, option, paging, static_select, text_input
from bot.slack.invocation import Invocation
from bot.slack.middleware import form_values, view_metadata
from bot.slack.mrkdwn import escape, escape_truncated, mrkdwn_text, plain_text, truncate
from bot.slack.permissions import Actor
from bot.slack.provisioning.associate import NEW_ACTION
from bot.slack.provisioning.common import (
    ChangeFailed,
    asked_by,
    association_call,
    banners,
    failure_text,
    make_change,
    refused,
    say,
)
from bot.slack.provisioning.owned import number_digits_by_key, number_key_for
from bot.slack.provisioning.text import association_line, filters_text, platform_text, resource_label
from bot.slack.provisioning.view_state import ViewState
from bot.slack.replies import open_child, update_view
from bot.slack.views import loading_view, message_view, modal
from bot.usecases.common import action_key

LIST_VIEW = "association_list"
DETAILS_VIEW = "association_details"
PAGE_ACTION = "association_page"
DETAILS_ACTION = "association_show"
DELETE_ACTION = "association_delete"


async def _resolved_filter(services: Services, filters: AssociationFilter) -> AssociationFilter:
    """resource= given as a phone number means the owned number's numberKey."""
    if (
        filters.resource_id
        and filters.resource_type in (None, "NUMBER")
        and looks_like_phone_number(filters.resource_id)
    ):
        try:
            key = await number_key_for(services, filters.resource_id)
        except InfobipError:
            key = None
        if key:
            return replace(filters, resource_id=key)
    return filters


def _filter_inputs(filters: AssociationFilter) -> list[dict]:
    def select(block_id: str, label: str, options: list[tuple[str, str]], current: str | None) -> dict:
        choices = [option(ANY, f"Any {label.lower()}")] + [option(v, text) for v, text in options]
        return input_block(block_id, label, static_select(choices, initial=current, or_first=True), optional=True)

    def text(block_id: str, label: str, current: str | None, placeholder: str) -> dict:
        element = text_input(max_length=255, placeholder=placeholder, initial=current)
        return input_block(block_id, label, element, optional=True)

    return [
        {"type": "header", "text": plain_text("Filter", 150)},
        select(FILTER_BLOCKS["resource_type"], "Type", list(RESOURCE_TYPES.items()), filters.resource_type),
        select(FILTER_BLOCKS["channel"], "Channel", list(CHANNEL_LABELS.items()), filters.channel),
        text(FILTER_BLOCKS["application_id"], "Application id", filters.application_id, "e.g. default"),
        text(FILTER_BLOCKS["entity_id"], "Entity id", filters.entity_id, "e.g. acme"),
        text(
            FILTER_BLOCKS["resource_id"],
            "Resource",
            filters.resource_id,
            "numberKey, number digits, domain or sender name",
        ),
    ]


def list_view(
    state: ViewState,
    results: list[AssociationKey],
    numbers: dict[str, str],
    *,
    total_pages: int,
    total_results: int,
    notice: str | None = None,
) -> dict:
    blocks = banners(notice)
    described = filters_text(state.filters)
    blocks += [
        {
            "type": "section",
            "text": mrkdwn_text(
                f"*Resource associations* · {described}" if described else "*Resource associations* · all"
            ),
        },
        {
            "type": "actions",
            "block_id": "tools",
            "elements": [
                {
                    "type": "button",
                    "action_id": NEW_ACTION,
                    "text": plain_text("➕ New association", 75),
                    "value": "new",
                },
                {
                    "type": "button",
                    "action_id": "platforms_open",
                    "text": plain_text("Applications & entities", 75),
                    "value": "application",
                },
                {
                    "type": "button",
                    "action_id": "routing_open",
                    "text": plain_text("Inbound routing…", 75),
                    "value": "pick",
                },
            ],
        },
        {"type": "divider"},
    ]
    if not results:
        blocks.append(
            {
                "type": "section",
                "text": mrkdwn_text(
                    "_No association matches these filters._" if described else "_There are no associations yet._"
                ),
            }
        )
    for index, key in enumerate(results):
        value = key.encode()
        blocks.append(
            {
                "type": "section",
                "block_id": f"row.{index}",
                "text": mrkdwn_text(association_line(key, numbers.get(key.resource_id))),
            }
        )
        blocks.append(
            {
                "type": "actions",
                "block_id": f"row.{index}.actions",
                "elements": [
                    button("Details", DETAILS_ACTION, value),
                    _delete_button("Delete", key, numbers.get(key.resource_id)),
                ],
            }
        )
    blocks.append({"type": "context", "elements": [mrkdwn_text(page_label(state.page, total_pages, total_results))]})
    blocks += paging(state.page, total_pages, (f"{PAGE_ACTION}.prev", f"{PAGE_ACTION}.next"))
    blocks.append({"type": "divider"})
    blocks += _filter_inputs(state.filters)
    return modal("Associations", blocks, private_metadata=state, callback_id=LIST_VIEW, submit="Filter")


def _delete_button(text: str, key: AssociationKey, number: str | None) -> dict:
    resource = (
        f"+{number} ({_shortened(key.resource_id)})"
        if key.resource_type == "NUMBER" and number
        else f"“{_shortened(key.resource_id)}”"
    )
    application = f"application “{_shortened(key.application_id)}”" if key.application_id else "no application"
    entity = f"entity “{_shortened(key.entity_id)}”" if key.entity_id else "no entity"
    warning = (
        f"Delete the association of {resource} on {CHANNEL_LABELS.get(key.channel, key.channel)} with "
        f"{application}, {entity}? The resource itself stays."
    )
    return delete_button(text, DELETE_ACTION, key.encode(), question="Delete association?", warning=warning)


def _shortened(identifier: str) -> str:
    # Ids can be long; cut them so the dialog's closing sentence still fits its 300 characters.
    return truncate(identifier, 60)


async def build_list(services: Services, state: ViewState, *, notice: str | None = None) -> dict:
    """The list view for `state` (filters and page), loaded from Infobip."""
    query = (await _resolved_filter(services, state.filters)).query()
    try:
        page = await services.infobip.list_associations(**query, page=state.page, size=PAGE_SIZE)
        paging = page.paging
        if not page.results and state.page > 0 and paging is not None and paging.total_pages > 0:
            state = state.but(page=paging.total_pages - 1)
            page = await services.infobip.list_associations(**query, page=state.page, size=PAGE_SIZE)
            paging = page.paging
    except InfobipError as error:
        return message_view("Associations", failure_text("list the associations", error))
    results = [
        AssociationKey(str(a.resource_type), str(a.channel), a.application_id, a.entity_id, a.resource_id)
        for a in page.results
    ]
    numbers = await number_digits_by_key(services, [k.resource_id for k in results if k.resource_type == "NUMBER"])
    total_results = paging.total_results if paging else len(results)
    total_pages = paging.total_pages if paging else 1
    return list_view(state, results, numbers, total_pages=total_pages, total_results=total_results, notice=notice)


async def open_list(invocation: Invocation, command: Associations) -> None:
    filters = AssociationFilter(**asdict(command))
    problems = filter_problems(filters)
    if problems:
        await say(invocation, "Associations", "\n".join(escape(p) for p in problems.values()))
        return
    await invocation.loading("Associations", "Loading the associations from Infobip…")
    state = ViewState(channel_id=invocation.channel_id, filters=filters)
    await invocation.show(await build_list(invocation.services, state))


async def filters_submitted(
    services: Services, ack, body: dict, client: AsyncWebClient, values: dict, metadata: ViewState
) -> None:
    view, state = body["view"], metadata
    filters = filter_from_values(values)
    problems = filter_problems(filters)
    if problems:
        await ack(errors_response({FILTER_BLOCKS[name]: message for name, message in problems.items()}))
        return
    acked_at = await ack_with_loading_view(ack, "Associations", "Loading the associations from Infobip…")
    new_view = await build_list(services, state.but(filters=filters, page=0))
    await settle_after_ack(acked_at)
    await update_view(client, view["id"], new_view)


async def page_clicked(services: Services, ack, body: dict, client: AsyncWebClient, metadata: ViewState) -> None:
    await ack()
    view, state = body["view"], metadata
    try:
        page = max(0, int(body["actions"][0]["value"]))
    except (KeyError, ValueError):
        return
    await update_view(client, view["id"], await build_list(services, state.but(page=page)), hash=view.get("hash"))


# ---- One association: details and delete ------------------------------------------------------------


def details_view(
    state: ViewState, key: AssociationKey, number: str | None, application: Application | None, entity: Entity | None
) -> dict:
    def named(identifier: str | None, name: str | None) -> str:
        if not identifier:
            return "none"
        return f"`{escape(identifier)}`" + (f" ({escape_truncated(name, 200)})" if name and name != identifier else "")

    fields = [
        f"*Resource type*\n{escape(RESOURCE_TYPES.get(key.resource_type, key.resource_type))}"
        f" (`{escape(key.resource_type)}`)",
        f"*Resource*\n{resource_label(key.resource_type, key.resource_id, number)}",
        f"*Channel*\n{escape(CHANNEL_LABELS.get(key.channel, key.channel))}",
        f"*Application*\n{named(key.application_id, application.application_name if application else None)}",
        f"*Entity*\n{named(key.entity_id, entity.entity_name if entity else None)}",
    ]
    buttons = [_delete_button("Delete association", key, number)]
    if key.resource_type == "NUMBER":
        buttons.append(button("Inbound routing", "number_routing", key.resource_id))
    blocks = [
        {"type": "section", "fields": [mrkdwn_text(f, 2000) for f in fields]},
        {
            "type": "context",
            "elements": [
                mrkdwn_text(
                    "As Infobip has it now (the single-association lookup). "
                    "Deleting the association keeps the resource."
                )
            ],
        },
        {"type": "actions", "block_id": "details", "elements": buttons},
    ]
    return modal("Association", blocks, private_metadata=state, callback_id=DETAILS_VIEW, close="Back")


async def details_clicked(services: Services, ack, body: dict, client: AsyncWebClient, metadata: ViewState) -> None:
    await ack()
    key = AssociationKey.decode(body["actions"][0].get("value") or "")
    if key is None:
        return
    parent = body["view"]
    view_id, _ = await open_child(client, body, loading_view("Association", "Looking it up at Infobip…"))
    state = metadata.but(parent_view_id=parent["id"])
    try:
        found = await services.infobip.get_association(
            resource_type=key.resource_type,
            channel=key.channel,
            application_id=key.application_id,
            resource_id=key.resource_id,
            entity_id=key.entity_id,
        )
    except InfobipNotFound:
        await update_view(client, view_id, message_view("Association", "This association is not there any more."))
        return
    except InfobipError as error:
        await update_view(client, view_id, message_view("Association", failure_text("look it up", error)))
        return
    key = AssociationKey(
        str(found.resource_type), str(found.channel), found.application_id, found.entity_id, found.resource_id
    )

    async def quietly(call):
        try:
            return await call
        except InfobipError:
            return None

    application, entity, numbers = await asyncio.gather(
        quietly(services.infobip.get_application(key.application_id)),
        quietly(services.infobip.get_entity(key.entity_id)) if key.entity_id else asyncio.sleep(0, None),
        number_digits_by_key(services, [key.resource_id] if key.resource_type == "NUMBER" else []),
    )
    await update_view(client, view_id, details_view(state, key, numbers.get(key.resource_id), application, entity))


async def delete_clicked(
    services: Services, ack, body: dict, client: AsyncWebClient, actor: Actor, metadata: ViewState
) -> None:
    await ack()
    user, view, state = actor.id, body["view"], metadata
    key = AssociationKey.decode(body["actions"][0].get("value") or "")
    if key is None:
        return
    if await refused(client, actor, state.channel_id, "delete associations"):
        return
    shown = resource_label(key.resource_type, key.resource_id)
    described = (
        f"{escape(RESOURCE_TYPES.get(key.resource_type, key.resource_type).lower())} {shown} on "
        f"{escape(CHANNEL_LABELS.get(key.channel, key.channel))} → "
        f"{platform_text(key.application_id, key.entity_id)}"
    )
    call = association_call(key)
    try:
        intent = await make_change(
            services,
            "association.delete",
            asked_by(services, action_key(body), user, state),
            call=call,
            target=f"association:{key.resource_type}:{key.resource_id}:{key.channel}",
            audit_entry={"target": f"{key.resource_type} {key.resource_id}", "before": key.snapshot()},
            notice=f":scissors: <@{user}> deleted the association of {described}. The resource itself stays.",
        )
    except ChangeFailed as failed:
        notice = failed.text
    except InfobipError as error:
        notice = failure_text(f"delete the association of {described}", error)
    else:
        notice = (
            f":information_source: The association of {described} was already gone."
            if intent.outcome.get("already")
            else f":white_check_mark: Deleted the association of {described}. The resource itself stays."
        )
    if view.get("callback_id") == DETAILS_VIEW:
        if state.parent_view_id and state.parent_view_id != view["id"]:
            await update_view(
                client, state.parent_view_id, await build_list(services, state.but(parent_view_id=None), notice=notice)
            )
            await update_view(client, view["id"], message_view("Association", notice))
        else:
            await update_view(
                client, view["id"], await build_list(services, state.but(parent_view_id=None), notice=notice)
            )
        return
    await update_view(client, view["id"], await build_list(services, state, notice=notice))


def register(app: AsyncApp, services: Services) -> None:
    state = view_metadata(ViewState)
    app.view(LIST_VIEW, middleware=[state, form_values])(partial(filters_submitted, services))
    app.action(re.compile(rf"^{PAGE_ACTION}\.(prev|next)$"), middleware=[state])(partial(page_clicked, services))
    app.action(DETAILS_ACTION, middleware=[state])(partial(details_clicked, services))
    app.action(DELETE_ACTION, middleware=[state])(partial(delete_clicked, services))
