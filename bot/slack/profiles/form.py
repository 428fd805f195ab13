"""Company profiles in the request forms: the picker at the top of a new request's form, the form
redrawn from a picked profile (every matching field filled, its values checked against this
country's rules before submit, its documents reused by documentId), and the offer to save what was
sent as a profile once a submission is done.

bot/slack/request_forms.py builds its pages through `build_pages` and adds `save_offer` to its
confirmation; the multi-country sender form (bot/slack/multi_forms.py) builds its pages and fills
from a pick through the same `build_pages` and `filled_from_pick`, under its own keys; everything
else about profiles in a form is here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.forms import ALLOWED_DOCUMENT_EXTENSIONS, as_list, block_id_for, fixed_fields_for
from bot.domain.profiles import Profile, day_month, fill_form, fill_problems, fill_summary, kept_typing
from bot.domain.requirements import Requirement
from bot.providers.infobip.mapping import to_domain_requirements
from bot.providers.infobip.models import Requirement as WireRequirement
from bot.slack.blocks import button, context, option, static_select
from bot.slack.form_blocks import FormPage, build_form
from bot.slack.form_context import FormContext
from bot.slack.mrkdwn import HINT_MAX, MODAL_BLOCKS_MAX, escape, escape_truncated, plain_text, truncate
from bot.slack.permissions import Actor
from bot.slack.replies import update_view
from bot.slack.views import message_view
from bot.store.drafts import FormDraft, load_draft, update_draft_prefill
from bot.store.profiles import get_profile, has_profiles, list_profiles

if TYPE_CHECKING:
    from bot.services import Services
    from bot.store.intents import Intent

PICKER_BLOCK = "profile_picker"
PICK_ACTION = "profile_pick"
MULTI_PICK_ACTION = "multi_profile_pick"  # the picker of a multi-country form (bot/slack/multi_forms.py)
SAVE_ACTION = "profile_save_new"
UPDATE_ACTION = "profile_save_update"
NO_PROFILE = "-"
PICKER_BLOCKS = 2  # the picker and the line under it
PICKER_OPTIONS_MAX = 99  # Slack's 100 options, "No profile" among them
_KEEP_SENTENCE = "Leave empty to keep the document you sent before."


def offered(services: Services, form: FormContext) -> bool:
    """A new request's form offers the profiles when there are any (an update keeps what was sent)."""
    return not form.request_id and has_profiles(services.db)


def today(services: Services) -> date:
    return services.clock.now().date()


# ---- Pages ------------------------------------------------------------------------------------


def build_pages(
    services: Services,
    form: FormContext,
    requirements: Sequence[Requirement | Mapping[str, Any]],
    *,
    prefill: Mapping[str, Any] | None = None,
    feedback: Mapping[str, str] | None = None,
    note: str | None = None,
    problems: Mapping[str, str] | None = None,
    notice: str | None = None,
    reserved: int = 0,
    keyed: Callable[[Profile], Profile] | None = None,
    pick_action: str = PICK_ACTION,
) -> list[FormPage]:
    """The form's pages as `build_form` makes them, with, when the form offers profiles, the picker
    on the first page (room kept for it on every page, so that a submission finds the same pages),
    and each document taken from the profile named as such under its field.

    `reserved`: blocks the caller adds to the first page; `keyed`: the profile under the form's own
    keys (a multi-country form's `RS:vatNumber`); `pick_action`: the picker's action_id."""
    budget = MODAL_BLOCKS_MAX - reserved - (PICKER_BLOCKS if form.profile_picker else 0)
    pages = build_form(
        form, requirements, prefill=prefill, feedback=feedback, note=note, block_budget=budget, problems=problems
    )
    if not form.profile_picker:
        return pages
    profiles = list_profiles(services.db)
    profile = next((p for p in profiles if p.id == form.profile), None)
    if profile is not None:
        shown = keyed(profile) if keyed else profile
        pages = [
            replace(page, blocks=_profile_inputs(page.blocks, shown, prefill or {}, today(services))) for page in pages
        ]
    first = pages[0]
    picker = _picker_blocks(profiles, profile, notice, pick_action)
    return [replace(first, blocks=[*picker, *first.blocks]), *pages[1:]]


def _picker_blocks(
    profiles: list[Profile], chosen: Profile | None, notice: str | None, action_id: str = PICK_ACTION
) -> list[dict[str, Any]]:
    options = [option(NO_PROFILE, "No profile")]
    options += [option(p.id, truncate(p.name, 75)) for p in profiles[:PICKER_OPTIONS_MAX]]
    select = static_select(
        options,
        initial=chosen.id if chosen else None,
        placeholder="Fill from a company profile…",
        action_id=action_id,
    )
    line = (
        f":card_index: {escape(notice)}"
        if notice
        else "Pick a company profile to fill in what it holds: values and documents. You can change anything after."
    )
    return [{"type": "actions", "block_id": PICKER_BLOCK, "elements": [select]}, context(line)]


def _profile_inputs(
    blocks: list[dict[str, Any]], profile: Profile, prefill: Mapping[str, Any], on: date
) -> list[dict[str, Any]]:
    """The blocks with each input given action ids of this profile's (so Slack shows the new
    values, not what the view held), and each document field saying which document it reuses or
    that the profile's expired."""
    notes: dict[str, str] = {}
    for key, documents in profile.documents.items():
        sent = {str(v) for v in as_list(prefill.get(key))}
        reused = [doc for doc in documents if doc.document_id in sent]
        if reused:
            names = ", ".join(doc.name for doc in reused)
            uploaded = day_month(reused[-1].uploaded_at, on)
            notes[block_id_for(key)] = (
                f"Using {names} from profile {profile.name} (uploaded {uploaded}). "
                "Attach another file to send it instead."
            )
        elif documents and not sent and not any(doc.is_valid_on(on) for doc in documents):
            last = documents[-1]
            until = day_month(last.valid_until, on)
            notes[block_id_for(key)] = (
                f"The profile's {last.name} expired on {until}, so it is not reused: attach a current one."
            )
    changed = []
    for block in blocks:
        if block.get("type") != "input":
            changed.append(block)
            continue
        element = {**block["element"], "action_id": f"{block['element']['action_id']}.{profile.id}"}
        block = {**block, "element": element}
        if block.get("block_id") in notes:
            rest = str((block.get("hint") or {}).get("text") or "").replace(_KEEP_SENTENCE, "").strip()
            accepted = f"Accepted: {', '.join(ALLOWED_DOCUMENT_EXTENSIONS)}."
            hint = " ".join(part for part in (notes[block["block_id"]], rest or accepted) if part)
            block["hint"] = plain_text(hint, HINT_MAX)
        changed.append(block)
    return changed


# ---- The picker ---------------------------------------------------------------------------------


async def profile_picked(
    services: Services,
    ack,
    body: dict,
    client: AsyncWebClient,
    actor: Actor,
    values: dict,
    metadata: FormContext | None,
) -> None:
    """A profile picked in a form: the form drawn again from it, with how many fields it filled
    and, under each field, what this country's rules refuse of its values; what was typed into the
    fields it does not fill stays."""
    await ack()
    if metadata is None:  # a picker outside a request form: not one of ours
        return
    view, form = body["view"], metadata
    draft = load_draft(services.db, form.state_key, actor.id)
    if draft is None:
        expired = message_view("New request", "This form has expired.", ["Start again with `/resource`."])
        await update_view(client, view["id"], expired)
        return
    requirements = to_domain_requirements(WireRequirement.model_validate(r) for r in draft.requirements)
    profile, prefill, problems, notice = await filled_from_pick(
        services,
        body,
        values,
        draft,
        requirements,
        fixed_fields=[f.value for f in fixed_fields_for(form.kind)],
        problems_of=lambda filled: fill_problems(requirements, filled, form.country),
    )
    form = form.model_copy(update={"profile": profile.id if profile else None, "page": 0})
    pages = build_pages(
        services, form, requirements, prefill=prefill, feedback=draft.feedback, problems=problems, notice=notice
    )
    form = form.model_copy(update={"page_count": len(pages)})
    from bot.slack.request_forms import form_page_view  # request_forms builds its pages here

    await update_view(client, view["id"], form_page_view(services, form, pages[0]), hash=view.get("hash"))


def picked_id(body: dict) -> str:
    """The profile id a picker's action chose (NO_PROFILE for "No profile")."""
    return ((body.get("actions") or [{}])[0].get("selected_option") or {}).get("value") or NO_PROFILE


async def filled_from_pick(
    services: Services,
    body: dict,
    values: dict,
    draft: FormDraft,
    requirements: Sequence[Requirement],
    *,
    fixed_fields: Sequence[str],
    problems_of: Callable[[Mapping[str, Any]], dict[str, str]],
    keyed: Callable[[Profile], Profile] | None = None,
    whose: str = "this country's",
) -> tuple[Profile | None, dict[str, Any], dict[str, str], str]:
    """What a pick puts into a form's draft: (the profile, the prefill kept with the draft, the
    problems of its values by field, the line under the picker). `keyed`: the profile under the
    form's own keys; `problems_of`: what the form's rules refuse of the filled values; `whose`
    rules those are, in the line."""
    picked = picked_id(body)
    profile = None if picked == NO_PROFILE else get_profile(services.db, picked)
    prefill: dict[str, Any] = {}
    problems: dict[str, str] = {}
    typed = {key: value for key, value in values.items() if key != PICKER_BLOCK}
    if profile is not None:
        shown = keyed(profile) if keyed else profile
        fill = fill_form(shown, requirements, fixed_fields, today(services))
        prefill = {**kept_typing(typed, draft.prefill, fill.values), **fill.values}
        problems = problems_of(fill.values)
        notice = fill_summary(profile.name, fill, len(problems), whose)
    elif picked != NO_PROFILE:
        notice = "That profile was deleted meanwhile: nothing was filled in."
    else:
        prefill = kept_typing(typed, draft.prefill, ())
        notice = "No profile: what it had filled in is cleared."
    await services.store.run(update_draft_prefill, draft.key, prefill, budget=1.5)
    return profile, prefill, problems, notice


# ---- After a submission ---------------------------------------------------------------------------


def reused_file_names(
    services: Services, form: FormContext, requirements: list[dict[str, Any]]
) -> dict[str, list[str]]:
    """The file names of the profile's documents a submission sends (by requirement key), for its
    thread as the uploaded ones are named there."""
    profile = get_profile(services.db, form.profile)
    if profile is None:
        return {}
    names: dict[str, list[str]] = {}
    for item in requirements:
        documents = {doc.document_id: doc.name for doc in profile.documents.get(item["key"]) or []}
        found = [documents[str(v)] for v in as_list(item.get("value")) if str(v) in documents]
        if found:
            names[item["key"]] = found
    return names


def save_offer(services: Services, intent: Intent) -> list[dict[str, Any]]:
    """Under a new request's confirmation, for a profile manager: save what was sent as a profile,
    or update the profile the form was filled from."""
    form = FormContext.load(intent.context["form"])
    if form.request_id or not intent.request_id or not services.may_manage_profiles(intent.actor):
        return []
    source = get_profile(services.db, form.profile)
    value = f"{intent.request_id}|{source.id if source else ''}"
    buttons = []
    if source is not None:
        buttons.append(button(truncate(f"Update profile {source.name}", 75), UPDATE_ACTION, value, style="primary"))
    buttons.append(button("Save as a new profile" if source else "Save as a profile", SAVE_ACTION, value))
    what = (
        f"Keep what you sent, documents included, in profile *{escape_truncated(source.name, 200)}*, or in a new one"
        if source
        else "Keep what you sent, documents included, as a company profile"
    )
    return [
        context(f":card_index: {what}: the next form fills itself from it."),
        {"type": "actions", "block_id": "profile_save", "elements": buttons},
    ]
