"""`/resource profiles` and its buttons: list, create, edit, delete company profiles; save what a
request sent as one; and the picker in request forms (bot/slack/profiles/form.py) and in the
multi-country sender form (bot/slack/multi_forms.py).

Thin listeners: read the click or the form, ask the store, render. Anyone may look and use;
changing is for RESOURCEBOT_PROFILE_MANAGERS (the admins when unset): anyone else is told who may,
and nothing is changed. Every change is in the audit log (bot/store/profiles.py).
"""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.commands import Profiles
from bot.domain.profiles import (
    Profile,
    from_submission,
    name_problem,
    parse_valid_until,
    values_from_lines,
    with_document_changes,
)
from bot.domain.validation import Invalid
from bot.slack import multi_forms
from bot.slack.acks import errors_response
from bot.slack.form_context import FormContext
from bot.slack.middleware import form_values, view_metadata
from bot.slack.mrkdwn import escape, escape_truncated
from bot.slack.multi_forms import MULTI_FORM, MultiFormContext
from bot.slack.permissions import PROFILES, Actor, managers_text, profile_managers
from bot.slack.profiles import form as profile_form
from bot.slack.profiles.views import (
    DELETE_ACTION,
    EDIT_ACTION,
    EDIT_VIEW,
    NAME_BLOCK,
    NEW_ACTION,
    NEW_UNTIL_BLOCK,
    REMOVE_BLOCK,
    SAVE_VIEW,
    UNTIL_BLOCK,
    VALUES_BLOCK,
    ProfilesState,
    editor_view,
    list_view,
    listed_documents,
    save_view,
    saved_view,
)
from bot.slack.replies import open_child, update_view
from bot.slack.views import REQUEST_FORM, message_view
from bot.store.profiles import (
    ProfileGone,
    ProfileNameTaken,
    create_profile,
    delete_profile,
    get_profile,
    list_profiles,
    update_profile,
)
from bot.store.requests import RequestRecord, get_request

if TYPE_CHECKING:
    from bot.services import Services
    from bot.slack.invocation import Invocation

STORE_BUDGET = 1.5  # seconds: a view submission is answered within Slack's 3


def _today(services: Services) -> date:
    return profile_form.today(services)


def _named(profile: Profile | str) -> str:
    name = profile.name if isinstance(profile, Profile) else profile
    return f"*{escape_truncated(name, 200)}*"


def render_list(services: Services, state: ProfilesState, notice: str | None = None) -> dict[str, Any]:
    managers = managers_text(profile_managers(services), nobody="nobody yet (RESOURCEBOT_PROFILE_MANAGERS)")
    return list_view(list_profiles(services.db), state=state, managers=managers, today=_today(services), notice=notice)


async def open_profiles(invocation: Invocation, command: Profiles) -> None:
    """`/resource profiles`, or the launcher's choice: the list."""
    state = ProfilesState(channel_id=invocation.channel_id)
    await invocation.show(render_list(invocation.services, state))


# ---- Create, edit, delete -------------------------------------------------------------------------


async def _refused(
    services: Services, client: AsyncWebClient, body: dict, actor: Actor, state: ProfilesState, what: str
) -> bool:
    """True when `actor` may not `what`; the view clicked in then says who may."""
    refusal = actor.refusal(PROFILES, what)
    if refusal is None:
        return False
    view = body["view"]
    if view.get("callback_id") == EDIT_VIEW:
        await update_view(client, view["id"], message_view("Company profiles", f":lock: {refusal}"))
    else:
        await update_view(client, view["id"], render_list(services, state, f":lock: {refusal}"))
    return True


async def new_clicked(services: Services, ack, body: dict, client: AsyncWebClient, actor: Actor, metadata) -> None:
    await ack()
    state = metadata
    if await _refused(services, client, body, actor, state, "create company profiles"):
        return
    editor = ProfilesState(channel_id=state.channel_id, parent_view_id=body["view"]["id"])
    await open_child(client, body, editor_view(editor, None, today=_today(services)))


async def edit_clicked(services: Services, ack, body: dict, client: AsyncWebClient, actor: Actor, metadata) -> None:
    await ack()
    state = metadata
    if await _refused(services, client, body, actor, state, "change company profiles"):
        return
    profile = get_profile(services.db, body["actions"][0].get("value"))
    if profile is None:
        await update_view(
            client, body["view"]["id"], render_list(services, state, "That profile is not there any more.")
        )
        return
    editor = ProfilesState(
        channel_id=state.channel_id,
        parent_view_id=body["view"]["id"],
        profile_id=profile.id,
        version=profile.updated_at,
    )
    await open_child(client, body, editor_view(editor, profile, today=_today(services)))


def _editor_changes(
    values: dict, profile: Profile | None
) -> tuple[dict[str, str], str, dict[str, Any], dict[str, Any]]:
    """(errors by block, name, values, documents) from the editor's inputs."""
    errors: dict[str, str] = {}
    name = str(values.get(NAME_BLOCK) or "").strip()
    if problem := name_problem(name):
        errors[NAME_BLOCK] = problem
    multiple = {k for k, v in (profile.values if profile else {}).items() if isinstance(v, list)}
    parsed: dict[str, Any] = {}
    try:
        parsed = values_from_lines(values.get(VALUES_BLOCK), multiple=multiple)
    except Invalid as error:
        errors[VALUES_BLOCK] = str(error)
    documents: dict[str, Any] = {}
    if profile is not None:
        listed = listed_documents(profile)
        removed = {listed[int(i)][1].document_id for i in values.get(REMOVE_BLOCK) or [] if str(i).isdigit()}
        until: dict[str, str | None] = {}
        for index, (_, doc) in enumerate(listed):
            try:
                until[doc.document_id] = parse_valid_until(values.get(f"{UNTIL_BLOCK}.{index}"))
            except Invalid as error:
                errors[f"{UNTIL_BLOCK}.{index}"] = str(error)
        documents = with_document_changes(profile.documents, removed=removed, valid_until=until)
    return errors, name, parsed, documents


async def editor_submitted(
    services: Services, ack, body: dict, client: AsyncWebClient, actor: Actor, values: dict, metadata
) -> None:
    state: ProfilesState = metadata
    refusal = actor.refusal(PROFILES, "create or change company profiles")
    if refusal:
        await ack(response_action="update", view=message_view("Company profiles", f":lock: {refusal}"))
        return
    profile = get_profile(services.db, state.profile_id) if state.profile_id else None
    if state.profile_id and profile is None:
        await ack(response_action="update", view=saved_view("This profile was deleted meanwhile: nothing was saved."))
        return
    if profile is not None and profile.updated_at != state.version:
        await ack(
            response_action="update",
            view=editor_view(
                state.model_copy(update={"version": profile.updated_at}),
                profile,
                today=_today(services),
                error=f":warning: <@{escape(profile.updated_by or '')}> changed this profile meanwhile: "
                "here it is as it is now. Make your change again.",
            ),
        )
        return
    errors, name, parsed, documents = _editor_changes(values, profile)
    if errors:
        await ack(errors_response(errors))
        return
    if profile is None:
        saved = await _stored(services, ack, create_profile, actor=actor.id, name=name, values=parsed)
        done = "Created"
    else:
        saved = await _stored(
            services, ack, update_profile, profile.id, actor=actor.id, name=name, values=parsed, documents=documents
        )
        done = "Saved"
    if saved is None:
        return
    done = f":white_check_mark: {done} profile {_named(saved)}."
    await ack()  # the editor closes: the list under it shows the change
    list_state = ProfilesState(channel_id=state.channel_id)
    await update_view(client, state.parent_view_id, render_list(services, list_state, done))


async def _stored(services: Services, ack, change, *args: Any, **fields: Any) -> Profile | None:
    """A profile created or updated by `change` in the store; None when a name is taken or the
    profile was deleted meanwhile, which the ack has then said."""
    try:
        return await services.store.run(change, *args, budget=STORE_BUDGET, **fields)
    except ProfileNameTaken as error:
        await ack(errors_response({NAME_BLOCK: str(error)}))
    except ProfileGone as error:
        await ack(response_action="update", view=saved_view(escape(str(error))))
    return None


async def delete_clicked(services: Services, ack, body: dict, client: AsyncWebClient, actor: Actor, metadata) -> None:
    await ack()
    state: ProfilesState = metadata
    if await _refused(services, client, body, actor, state, "delete company profiles"):
        return
    deleted = await services.store.run(delete_profile, body["actions"][0].get("value") or "", actor=actor.id)
    done = f":wastebasket: Deleted profile {_named(deleted)}." if deleted else "That profile was deleted already."
    await update_view(client, body["view"]["id"], saved_view(done))
    await update_view(
        client, state.parent_view_id, render_list(services, ProfilesState(channel_id=state.channel_id), done)
    )


# ---- Saving what a request sent ------------------------------------------------------------------------


def _request_of(services: Services, actor: Actor, value: str | None) -> tuple[RequestRecord | None, str | None]:
    """The request a Save button is for, and the profile its form was filled from (its id)."""
    request_id, _, source = str(value or "").partition("|")
    request = get_request(services.db, request_id)
    if request is None or (request.requester != actor.id and not actor.is_admin):
        return None, None
    return request, source or None


def _document_keys(request: RequestRecord, source: Profile | None) -> set[str]:
    """Which of what the request sent are documents: the files it uploaded, and those reused from a profile."""
    keys = set(request.files or {})
    known = {doc.document_id for items in (source.documents if source else {}).values() for doc in items}
    for item in request.submitted.get("requirements") or []:
        value = item.get("value")
        ids = value if isinstance(value, list) else [value]
        if ids and all(str(v) in known for v in ids):
            keys.add(str(item["key"]))
    return keys


def _sent(request: RequestRecord, source: Profile | None, valid_until: str | None = None) -> tuple[dict, dict]:
    return from_submission(
        request.submitted.get("requirements") or [],
        request.submitted,
        request.files or {},
        document_keys=_document_keys(request, source),
        previous=source,
        uploaded_at=request.created_at,
        valid_until=valid_until,
    )


async def save_clicked(services: Services, ack, body: dict, client: AsyncWebClient, actor: Actor) -> None:
    """Save as a (new) profile, or Update profile …, under a submitted request's confirmation."""
    await ack()
    action = body["actions"][0]
    refusal = actor.refusal(PROFILES, "save profiles")
    request, source_id = _request_of(services, actor, action.get("value"))
    if refusal or request is None:
        text = f":lock: {refusal}" if refusal else "This request is not yours, or no longer known: nothing was saved."
        await open_child(client, body, saved_view(text))
        return
    source = get_profile(services.db, source_id)
    target = source if action["action_id"] == profile_form.UPDATE_ACTION else None
    if action["action_id"] == profile_form.UPDATE_ACTION and target is None:
        await open_child(client, body, saved_view("That profile was deleted meanwhile: save a new one instead."))
        return
    values, documents = _sent(request, source)
    sent = {str(item["key"]): item.get("value") for item in request.submitted.get("requirements") or []}
    state = ProfilesState(
        request_id=request.id, source=source.id if source else None, profile_id=target.id if target else None
    )
    view = save_view(
        state,
        target=target,
        name=str(sent.get("companyName") or request.sender_name or "") or None,
        values=len(values),
        documents=[doc.name for docs in documents.values() for doc in docs],
        new_documents=bool(request.files),
    )
    await open_child(client, body, view)


async def save_submitted(
    services: Services, ack, body: dict, client: AsyncWebClient, actor: Actor, values: dict, metadata
) -> None:
    state: ProfilesState = metadata
    refusal = actor.refusal(PROFILES, "save profiles")
    request, _ = _request_of(services, actor, state.request_id)
    if refusal or request is None:
        text = f":lock: {refusal}" if refusal else "This request is not yours, or no longer known: nothing was saved."
        await ack(response_action="update", view=saved_view(text))
        return
    try:
        valid_until = parse_valid_until(values.get(NEW_UNTIL_BLOCK))
    except Invalid as error:
        await ack(errors_response({NEW_UNTIL_BLOCK: str(error)}))
        return
    source = get_profile(services.db, state.source)
    sent_values, sent_documents = _sent(request, source, valid_until)
    details = {"fromRequest": request.id}
    if state.profile_id:
        target = get_profile(services.db, state.profile_id)
        if target is None:
            await ack(
                response_action="update", view=saved_view("That profile was deleted meanwhile: nothing was saved.")
            )
            return
        saved = await _stored(
            services,
            ack,
            update_profile,
            target.id,
            actor=actor.id,
            name=target.name,
            values={**target.values, **sent_values},
            documents={**target.documents, **sent_documents},
            details=details,
        )
        after = f"with what request `{escape(request.id)}` sent"
    else:
        name = str(values.get(NAME_BLOCK) or "").strip()
        if problem := name_problem(name):
            await ack(errors_response({NAME_BLOCK: problem}))
            return
        saved = await _stored(
            services,
            ack,
            create_profile,
            actor=actor.id,
            name=name,
            values=sent_values,
            documents=sent_documents,
            details=details,
        )
        after = ""
    if saved is None:
        return
    if after:
        done = f":white_check_mark: Updated profile {_named(saved)} {after}."
    else:
        done = f":white_check_mark: Saved profile {_named(saved)}: the next request form offers it at the top."
    await ack(response_action="update", view=saved_view(done))


def register(app: AsyncApp, services: Services) -> None:
    state = view_metadata(ProfilesState)
    app.action(NEW_ACTION, middleware=[state])(partial(new_clicked, services))
    app.action(EDIT_ACTION, middleware=[state])(partial(edit_clicked, services))
    app.action(DELETE_ACTION, middleware=[state])(partial(delete_clicked, services))
    app.view(EDIT_VIEW, middleware=[state, form_values])(partial(editor_submitted, services))
    app.action(profile_form.SAVE_ACTION)(partial(save_clicked, services))
    app.action(profile_form.UPDATE_ACTION)(partial(save_clicked, services))
    app.view(SAVE_VIEW, middleware=[state, form_values])(partial(save_submitted, services))
    app.action(profile_form.PICK_ACTION, middleware=[view_metadata(FormContext, only_in=REQUEST_FORM), form_values])(
        partial(profile_form.profile_picked, services)
    )
    multi = view_metadata(MultiFormContext, only_in=MULTI_FORM)
    app.action(profile_form.MULTI_PICK_ACTION, middleware=[multi, form_values])(
        partial(multi_forms.profile_picked, services)
    )
