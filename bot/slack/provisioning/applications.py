"""Applications and entities: a paged list (one kind at a time), create, rename and delete.

Reached from the association list ("Applications & entities"). Create and Edit open a small
form over the list; Delete sits in the Edit form behind a confirmation that says what deleting
does: every resource linked to it goes back to application `default` and no entity.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.associations import DEFAULT_APPLICATION, id_problem, name_problem
from bot.providers.infobip.errors import InfobipError, InfobipNotFound
from bot.providers.infobip.models import Application, Entity
from bot.services import Services
from bot.slack.acks import ack_with_loading_view, errors_response, settle_after_ack
from bot.slack.blocks import delete_button, input_block, paging, section, text_input
from bot.slack.middleware import form_values, view_metadata
from bot.slack.mrkdwn import escape, escape_truncated, mrkdwn_text, plain_text, truncate
from bot.slack.permissions import Actor
from bot.slack.provisioning.common import (
    ChangeFailed,
    ChangeForm,
    answered_before_change,
    asked_by,
    banners,
    failure_text,
    finish_in_form,
    is_conflict,
    make_change,
    refused,
)
from bot.slack.provisioning.text import RESET_WARNING
from bot.slack.provisioning.view_state import ViewState
from bot.slack.replies import open_child, update_view
from bot.slack.views import loading_view, message_view, modal
from bot.usecases.common import action_key, view_key

LIST_VIEW = "platforms"
FORM_VIEW = "platform_form"
OPEN_ACTION = "platforms_open"
TAB_ACTION = "platforms_tab"
PAGE_ACTION = "platforms_page"
NEW_ACTION = "platform_new"
EDIT_ACTION = "platform_edit"
DELETE_ACTION = "platform_delete"
ID_BLOCK = "platformId"
NAME_BLOCK = "platformName"
PAGE_SIZE = 20
KINDS = ("application", "entity")
_PLURAL = {"application": "applications", "entity": "entities"}


def _kind(value: str | None) -> str:
    return value if value in KINDS else "application"


def _id_of(item: Application | Entity) -> str:
    return item.application_id if isinstance(item, Application) else item.entity_id


def _name_of(item: Application | Entity) -> str | None:
    return item.application_name if isinstance(item, Application) else item.entity_name


def _shown(kind: str, item_id: str) -> str:
    return f"{kind} `{escape(item_id)}`"


def _delete_warning_plain(kind: str, item_id: str) -> str:
    """The delete warning for a confirm dialog, which Slack shows as plain text (no markup)."""
    return (
        f"Deleting the {kind} “{truncate(item_id, 60)}” resets every resource linked to it to the "
        "“default” application and no entity. Its associations and the numbers routed to it move there."
    )


# ---- Provider calls, by kind ---------------------------------------------------------------------


async def _page(services: Services, kind: str, page: int):
    if kind == "application":
        return await services.infobip.list_applications(page=page, size=PAGE_SIZE)
    return await services.infobip.list_entities(page=page, size=PAGE_SIZE)


async def _get(services: Services, kind: str, item_id: str) -> Application | Entity:
    if kind == "application":
        return await services.infobip.get_application(item_id)
    return await services.infobip.get_entity(item_id)


async def _linked(services: Services, kind: str, item_id: str) -> tuple[list[dict[str, Any]], int]:
    """Up to 100 associations that use it, and how many there are."""
    query = {"application_id": item_id} if kind == "application" else {"entity_id": item_id}
    page = await services.infobip.list_associations(**query, page=0, size=100)
    found = [a.to_wire() for a in page.results]
    return found, page.paging.total_results if page.paging else len(found)


# ---- The list -------------------------------------------------------------------------------------


def list_view(
    state: ViewState,
    items: list[Application | Entity],
    *,
    total_pages: int,
    total_results: int,
    notice: str | None = None,
) -> dict:
    kind = _kind(state.kind)
    blocks = banners(notice)
    blocks += [
        {
            "type": "actions",
            "block_id": "tabs",
            "elements": [
                {
                    "type": "button",
                    "action_id": f"{TAB_ACTION}.application",
                    "text": plain_text("Applications", 75),
                    "value": "application",
                    **({"style": "primary"} if kind == "application" else {}),
                },
                {
                    "type": "button",
                    "action_id": f"{TAB_ACTION}.entity",
                    "text": plain_text("Entities", 75),
                    "value": "entity",
                    **({"style": "primary"} if kind == "entity" else {}),
                },
                {"type": "button", "action_id": NEW_ACTION, "text": plain_text(f"➕ New {kind}", 75), "value": kind},
            ],
        },
        {"type": "context", "elements": [mrkdwn_text(RESET_WARNING)]},
        {"type": "divider"},
    ]
    if not items:
        blocks.append({"type": "section", "text": mrkdwn_text(f"_No {_PLURAL[kind]} yet._")})
    for index, item in enumerate(items):
        item_id, name = _id_of(item), _name_of(item)
        text = f"*{escape_truncated(name, 200)}* · `{escape(item_id)}`" if name else f"`{escape(item_id)}`"
        blocks.append(
            {
                "type": "section",
                "block_id": f"item.{index}",
                "text": mrkdwn_text(text),
                "accessory": {
                    "type": "button",
                    "action_id": EDIT_ACTION,
                    "text": plain_text("Edit", 75),
                    "value": item_id,
                },
            }
        )
    noun = kind if total_results == 1 else _PLURAL[kind]
    blocks.append(
        {
            "type": "context",
            "elements": [mrkdwn_text(f"{total_results} {noun} · page {state.page + 1} of {max(total_pages, 1)}")],
        }
    )
    blocks += paging(state.page, total_pages, (f"{PAGE_ACTION}.prev", f"{PAGE_ACTION}.next"))
    return modal("Applications & entities", blocks, private_metadata=state, callback_id=LIST_VIEW)


async def build_list(services: Services, state: ViewState, *, notice: str | None = None) -> dict:
    kind = _kind(state.kind)
    try:
        page = await _page(services, kind, state.page)
        if not page.results and state.page > 0 and page.paging and page.paging.total_pages > 0:
            state = state.but(page=page.paging.total_pages - 1)
            page = await _page(services, kind, state.page)
    except InfobipError as error:
        return message_view("Applications & entities", failure_text(f"list the {_PLURAL[kind]}", error))
    paging = page.paging
    return list_view(
        state,
        list(page.results),
        total_pages=paging.total_pages if paging else 1,
        total_results=paging.total_results if paging else len(page.results),
        notice=notice,
    )


async def open_clicked(services: Services, ack, body: dict, client: AsyncWebClient, metadata: ViewState) -> None:
    await ack()
    state = ViewState(channel_id=metadata.channel_id, kind=_kind(body["actions"][0].get("value")))
    view_id, _ = await open_child(client, body, loading_view("Applications & entities", "Loading…"))
    await update_view(client, view_id, await build_list(services, state))


async def browse_clicked(services: Services, ack, body: dict, client: AsyncWebClient, metadata: ViewState) -> None:
    """A tab or a page button of the list."""
    await ack()
    view, state = body["view"], metadata
    action = body["actions"][0]
    if action["action_id"].startswith(TAB_ACTION):
        state = state.but(kind=_kind(action.get("value")), page=0)
    else:
        try:
            state = state.but(page=max(0, int(action.get("value") or 0)))
        except ValueError:
            return
    await update_view(client, view["id"], await build_list(services, state), hash=view.get("hash"))


# ---- Create and rename ------------------------------------------------------------------------------


def form_view(
    state: ViewState,
    *,
    item: Application | Entity | None = None,
    linked: int | None = None,
    error: str | None = None,
    initial_id: str | None = None,
    initial_name: str | None = None,
) -> dict:
    kind = _kind(state.kind)
    blocks = banners(error)
    if item is None:
        example = "e.g. marketing-eu" if kind == "application" else "e.g. acme"
        blocks += [
            input_block(
                ID_BLOCK,
                f"{kind.capitalize()} id",
                text_input(max_length=255, placeholder=example, initial=initial_id),
                hint="Letters, digits, “-”, “_”, “.” or “~” (it becomes part of Infobip's URLs); "
                "it can't be changed later.",
            ),
            input_block(NAME_BLOCK, "Name", text_input(max_length=255, initial=initial_name), optional=True),
        ]
        return modal(
            f"New {kind}", blocks, private_metadata=state, callback_id=FORM_VIEW, submit="Create", close="Back"
        )
    item_id, name = _id_of(item), _name_of(item)
    blocks += [
        section(f"*{kind.capitalize()}* `{escape(item_id)}`"),
        input_block(NAME_BLOCK, "Name", text_input(max_length=255, initial=initial_name or name), optional=True),
    ]
    if linked is not None:
        noun = "association uses" if linked == 1 else "associations use"
        blocks.append({"type": "context", "elements": [mrkdwn_text(f"{linked} {noun} it.")]})
    if kind == "application" and item_id == DEFAULT_APPLICATION:
        blocks.append(
            {
                "type": "context",
                "elements": [
                    mrkdwn_text("The `default` application can be renamed but not deleted: resources fall back to it.")
                ],
            }
        )
    else:
        warning = (
            f"Deleting {_shown(kind, item_id)} resets every resource linked to it to application `default` "
            "and no entity. Its associations and the numbers routed to it move there."
        )
        blocks += [
            {"type": "context", "elements": [mrkdwn_text(f":warning: {warning}")]},
            {
                "type": "actions",
                "block_id": "delete",
                "elements": [
                    delete_button(
                        f"Delete {kind}",
                        DELETE_ACTION,
                        item_id,
                        question=f"Delete this {kind}?",
                        warning=_delete_warning_plain(kind, item_id),
                    )
                ],
            },
        ]
    return modal(f"Edit {kind}", blocks, private_metadata=state, callback_id=FORM_VIEW, submit="Rename", close="Back")


async def new_clicked(
    services: Services, ack, body: dict, client: AsyncWebClient, actor: Actor, metadata: ViewState
) -> None:
    await ack()
    parent, parent_state = body["view"], metadata
    kind = _kind(body["actions"][0].get("value"))
    if await refused(client, actor, parent_state.channel_id, f"create {_PLURAL[kind]}"):
        return
    state = parent_state.but(kind=kind, target=None, parent_view_id=parent["id"])
    await open_child(client, body, form_view(state))


async def edit_clicked(
    services: Services, ack, body: dict, client: AsyncWebClient, actor: Actor, metadata: ViewState
) -> None:
    await ack()
    parent, parent_state = body["view"], metadata
    kind = _kind(parent_state.kind)
    item_id = body["actions"][0].get("value") or ""
    if await refused(client, actor, parent_state.channel_id, f"rename or delete {_PLURAL[kind]}"):
        return
    view_id, _ = await open_child(client, body, loading_view(f"Edit {kind}", "Loading…"))
    try:
        item = await _get(services, kind, item_id)
        _, linked = await _linked(services, kind, item_id)
    except InfobipNotFound:
        await update_view(
            client,
            view_id,
            message_view(f"Edit {kind}", f"{_shown(kind, item_id).capitalize()} is not there any more."),
        )
        return
    except InfobipError as error:
        await update_view(
            client, view_id, message_view(f"Edit {kind}", failure_text(f"load {_shown(kind, item_id)}", error))
        )
        return
    state = parent_state.but(kind=kind, target=item_id, parent_view_id=parent["id"], extra={"name": _name_of(item)})
    await update_view(client, view_id, form_view(state, item=item, linked=linked))


async def form_submitted(
    services: Services, ack, body: dict, client: AsyncWebClient, actor: Actor, values: dict, metadata: ViewState
) -> None:
    view, user, state = body["view"], actor.id, metadata
    kind = _kind(state.kind)
    form = ChangeForm(kind.capitalize(), "Saving at Infobip…", f"change {_PLURAL[kind]}")
    if await answered_before_change(services, client, ack, view, actor, form):
        return
    name = (values.get(NAME_BLOCK) or "").strip() or None
    new_id = None if state.target else (values.get(ID_BLOCK) or "").strip()
    errors: dict[str, str] = {}
    if new_id is not None and (problem := id_problem(new_id, f"{kind} id")):
        errors[ID_BLOCK] = problem
    if problem := name_problem(name, f"{kind} name"):
        errors[NAME_BLOCK] = problem
    if errors:
        await ack(errors_response(errors))
        return
    item_id = state.target or new_id or ""
    shown = _shown(kind, item_id)
    named = f" ({escape_truncated(name, 200)})" if name else ""
    name_field = f"{kind}Name"
    if state.target is None:
        action, audit_entry = f"{kind}.create", {"target": item_id, "after": {f"{kind}Id": item_id, name_field: name}}
        text = f":new: <@{user}> created {shown}{named}."
        done = f":white_check_mark: Created {shown}{named}."
    else:
        old = state.extra.get("name")
        action = f"{kind}.rename"
        audit_entry = {"target": item_id, "before": {name_field: old}, "after": {name_field: name}}
        old_shown = f"“{escape_truncated(old, 200)}”" if old else "no name"
        new_shown = f"“{escape_truncated(name, 200)}”" if name else "no name"
        text = f":pencil2: <@{user}> renamed {shown}: {old_shown} → {new_shown}."
        done = f":white_check_mark: Renamed {shown}: {old_shown} → {new_shown}."
    acked_at = await ack_with_loading_view(ack, form.title, form.working)
    try:
        await make_change(
            services,
            action,
            asked_by(services, view_key(view), user, state, view["id"]),
            target=f"{kind}:{item_id}",
            call={"id": item_id, "name": name},
            audit_entry=audit_entry,
            notice=text,
            done_text=done,
        )
    except (ChangeFailed, InfobipError) as error:
        what = f"create {shown}" if state.target is None else f"rename {shown}"
        text = (
            error.text
            if isinstance(error, ChangeFailed)
            else f":warning: An {shown} already exists: pick another id."
            if is_conflict(error)
            else failure_text(what, error)
        )
        item = None
        if state.target is not None:
            item = (
                Application(application_id=item_id, application_name=state.extra.get("name"))
                if kind == "application"
                else Entity(entity_id=item_id, entity_name=state.extra.get("name"))
            )
        await settle_after_ack(acked_at)
        await update_view(
            client, view["id"], form_view(state, item=item, error=text, initial_id=new_id, initial_name=name)
        )
        return
    await settle_after_ack(acked_at)
    await _finish(services, client, view["id"], state, done)


async def _finish(services: Services, client: AsyncWebClient, view_id: str, state: ViewState, notice: str) -> None:
    """After a change in the form: say so there, and refresh the list under it."""
    list_state = state.but(target=None, parent_view_id=None, extra={})
    await finish_in_form(
        client,
        view_id,
        state,
        notice,
        title=_kind(state.kind).capitalize(),
        refreshed=lambda: build_list(services, list_state, notice=notice),
    )


async def delete_clicked(
    services: Services, ack, body: dict, client: AsyncWebClient, actor: Actor, metadata: ViewState
) -> None:
    await ack()
    user, view, state = actor.id, body["view"], metadata
    kind = _kind(state.kind)
    item_id = body["actions"][0].get("value") or ""
    if await refused(client, actor, state.channel_id, f"delete {_PLURAL[kind]}"):
        return
    shown = _shown(kind, item_id)
    try:
        linked, count = await _linked(services, kind, item_id)
    except InfobipError as error:
        await update_view(client, view["id"], message_view(kind.capitalize(), failure_text(f"delete {shown}", error)))
        return
    moved = (
        (
            f" {count} association{'s' if count != 1 else ''} and the resources linked to it now use application "
            "`default` and no entity."
        )
        if count
        else " Resources linked to it now use application `default` and no entity."
    )
    before = {f"{kind}Id": item_id, f"{kind}Name": state.extra.get("name"), "associations": linked}
    try:
        intent = await make_change(
            services,
            f"{kind}.delete",
            asked_by(services, action_key(body), user, state),
            target=f"{kind}:{item_id}",
            call={"id": item_id},
            notice=f":wastebasket: <@{user}> deleted {shown}.{moved}",
            audit_entry={
                "target": item_id,
                "before": before,
                "details": {"linkedAssociations": count},
                "after": {"resetTo": {"applicationId": DEFAULT_APPLICATION, "entityId": None}},
            },
        )
    except (ChangeFailed, InfobipError) as error:
        text = error.text if isinstance(error, ChangeFailed) else failure_text(f"delete {shown}", error)
        await update_view(client, view["id"], message_view(kind.capitalize(), text))
        return
    if intent.outcome.get("already"):
        await _finish(
            services, client, view["id"], state, f":information_source: {shown.capitalize()} was already gone."
        )
        return
    await _finish(services, client, view["id"], state, f":white_check_mark: Deleted {shown}.{moved}")


def register(app: AsyncApp, services: Services) -> None:
    state = view_metadata(ViewState)
    app.action(OPEN_ACTION, middleware=[state])(partial(open_clicked, services))
    app.action(re.compile(rf"^{TAB_ACTION}\.(application|entity)$"), middleware=[state])(
        partial(browse_clicked, services)
    )
    app.action(re.compile(rf"^{PAGE_ACTION}\.(prev|next)$"), middleware=[state])(partial(browse_clicked, services))
    app.action(NEW_ACTION, middleware=[state])(partial(new_clicked, services))
    app.action(EDIT_ACTION, middleware=[state])(partial(edit_clicked, services))
    app.action(DELETE_ACTION, middleware=[state])(partial(delete_clicked, services))
    app.view(FORM_VIEW, middleware=[state, form_values])(partial(form_submitted, services))
