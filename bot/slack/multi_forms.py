"""One sender form for several countries (`/resource sender HR,RS,SI`): one request per country.

Open: each country's requirements are looked up at once (through the cache); countries whose
lookup is refused are named at the top and left out (all refused: only that message). The fields
are merged (bot/domain/multi_country.py): asked once where every country asks the same, per
country (`RS:vatNumber`, labelled with the country) where they differ; one sender name for all.

Profiles: when there are company profiles, the picker of a form of one country is at the top
(bot/slack/profiles/form.py); a pick fills a shared field from the profile's value of its key and
each country's `RS:vatNumber` from the profile's `vatNumber`, shows what that country's rules
refuse under its field, and reuses the profile's documents, by documentId, for every country.

Submit: each country is validated by its own rules, then filed as its own submission intent,
keyed by the submission and the country, so a double click or a replay files nothing more. Each
is performed as a form of one country is (documents uploaded for it, Infobip called once, its
thread posted from the outbox). A refusal of one never loses the others. Once all settled, one
summary message lists every country's request in the channel of the threads (bot/store/
request_groups.py, bot/slack/multi_summary.py), and the modal shows each country's outcome.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from pydantic import Field
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.approvals import SENDER_REQUEST
from bot.domain.commands import MultiSenderForm
from bot.domain.forms import RequestKind, fixed_fields_for
from bot.domain.multi_country import keyed_profile, merge, problems_by_country, split_form, split_key
from bot.domain.numbers import country_name
from bot.domain.requirements import Requirement as DomainRequirement
from bot.domain.validation import ValidatedForm, combine_pages, validate_submission
from bot.providers.infobip.errors import InfobipError
from bot.providers.infobip.mapping import to_domain_requirements
from bot.providers.infobip.models import AlphaRequirementsQuery, Requirement
from bot.slack import intent_views, multi_summary
from bot.slack.acks import settle_after_ack
from bot.slack.approvals import asking
from bot.slack.form_blocks import FormPage
from bot.slack.form_context import FormContext, FormPages
from bot.slack.mrkdwn import escape, mrkdwn_text
from bot.slack.permissions import Actor
from bot.slack.profiles import form as profile_form
from bot.slack.provider_errors import explain
from bot.slack.replies import update_view
from bot.slack.request_forms import request_body, request_record, send_submission, whole_form_or_next_page
from bot.slack.template_links import add_download_links
from bot.slack.views import loading_view, message_view, modal
from bot.store.drafts import FormDraft, load_draft, save_draft
from bot.store.intents import Intent, IntentState, get_intent
from bot.store.profiles import has_profiles
from bot.store.request_groups import GroupMember, create_group, get_group, group_id_for, post_summary
from bot.usecases import submit_request
from bot.usecases.common import view_key
from bot.usecases.runner import claim_intent, wait_settled
from bot.usecases.submit_request import SUBMIT_REQUEST

if TYPE_CHECKING:
    from bot.services import Services
    from bot.slack.invocation import Invocation

MULTI_FORM = "multi_request_form"
TITLE = "New request"
SUBMITTING = "Submitting to Infobip…"
_HEADER_BLOCKS = 1  # the countries line on the first page
_REFUSED_MAX = 150  # characters of a refusal kept in the metadata


class MultiFormContext(FormPages):
    """The countries a multi-country sender form files for, and where it is in its pages.
    Requirements and values are stored server-side, under `state_key`."""

    countries: tuple[str, ...] = Field(alias="cs")  # those whose lookup answered, in the typed order
    refused: dict[str, str] = Field(default_factory=dict, alias="rf")  # left out: country → why
    traffic_origin: str | None = Field(None, alias="to")
    traffic_type: str | None = Field(None, alias="tt")

    def for_country(self, country: str) -> FormContext:
        """The one-country form context of a country's request (what its intent remembers)."""
        return FormContext(
            kind=RequestKind.ALPHANUMERIC_REGISTRATION,
            country=country,
            traffic_origin=self.traffic_origin,
            traffic_type=self.traffic_type,
            state_key=self.state_key,
            channel_id=self.channel_id,
            profile_picker=self.profile_picker,
            profile=self.profile,
        )


def _query(context: MultiFormContext, country: str) -> AlphaRequirementsQuery:
    return AlphaRequirementsQuery(
        country_code=country, traffic_origin=context.traffic_origin, traffic_type=context.traffic_type
    )


def _names(countries: Any) -> str:
    return ", ".join(escape(country_name(c)) for c in countries)


async def open_multi_sender_form(invocation: Invocation, command: MultiSenderForm) -> None:
    """`/resource sender HR,RS,SI`: the loading modal, then the merged form."""
    view_id = await invocation.loading(TITLE, "Loading the requirements from Infobip…")
    context = MultiFormContext(
        countries=command.countries,
        traffic_origin=command.traffic_origin,
        traffic_type=command.traffic_type,
        channel_id=invocation.channel_id,
    )
    view = await _opened(invocation.services, invocation.user, context)
    await settle_after_ack(invocation.acked_at)
    await invocation.client.views_update(view_id=view_id, view=view)


async def _opened(services: Services, user: str, context: MultiFormContext) -> dict[str, Any]:
    """The form's first page, or why there is none."""

    async def lookup(country: str) -> list[Requirement] | InfobipError:
        try:
            return await services.requirements.lookup(_query(context, country))
        except InfobipError as error:
            return error

    answers = dict(zip(context.countries, await asyncio.gather(*map(lookup, context.countries)), strict=True))
    found = {c: a for c, a in answers.items() if not isinstance(a, InfobipError)}
    refused = {c: explain(a)[0][:_REFUSED_MAX] for c, a in answers.items() if isinstance(a, InfobipError)}
    if not found:
        return message_view(
            TITLE,
            ":warning: None of these countries can be requested.",
            [f"*{escape(country_name(c))}*: {escape(why)}" for c, why in refused.items()] + ["Nothing was sent."],
        )
    if asking.needed(services, SENDER_REQUEST):
        return message_view(
            TITLE,
            ":warning: Sender requests wait for an approval here, one country at a time.",
            [f"Use `/resource sender {c}` for each country; nothing was sent." for c in found],
        )
    draft = await services.store.run(
        save_draft,
        user,
        requirements=[
            {"country": c, "requirements": [r.model_dump(mode="json", by_alias=True, exclude_none=True) for r in a]}
            for c, a in found.items()
        ],
        prefill={},
        feedback={},
        labels={},
    )
    context = context.model_copy(
        update={
            "countries": tuple(found),
            "refused": refused,
            "state_key": draft.key,
            "profile_picker": has_profiles(services.db),
        }
    )
    pages = _pages(services, context, draft)
    context = context.model_copy(update={"page_count": len(pages)})
    return _view(services, context, pages[0])


def _sets(draft: FormDraft) -> dict[str, list[DomainRequirement]]:
    """Each country's requirements as looked up when the form was opened."""
    return {
        str(item["country"]): to_domain_requirements(Requirement.model_validate(r) for r in item["requirements"])
        for item in draft.requirements
    }


def _pages(
    services: Services,
    context: MultiFormContext,
    draft: FormDraft,
    *,
    problems: dict[str, str] | None = None,
    notice: str | None = None,
) -> list[FormPage]:
    """The merged form's pages, the countries line on top, and the profile picker under it when
    there are profiles (bot/slack/profiles/form.py, as in a form of one country)."""
    merged = merge(_sets(draft))
    pages = profile_form.build_pages(
        services,
        context.for_country(context.countries[0]),
        merged,
        prefill=draft.prefill,
        problems=problems,
        notice=notice,
        reserved=_HEADER_BLOCKS,
        keyed=lambda profile: keyed_profile(profile, merged, context.countries),
        pick_action=profile_form.MULTI_PICK_ACTION,
    )
    header = {"type": "section", "text": mrkdwn_text(_header(context))}
    first = pages[0]
    return [replace(first, blocks=[header, *first.blocks]), *pages[1:]]


def _header(context: MultiFormContext) -> str:
    text = (
        f"One sender registration for *{_names(context.countries)}*: one request and thread per country. "
        "A field marked with a country is asked by that country alone, or differently there."
    )
    if context.refused:
        left_out = "; ".join(f"*{escape(country_name(c))}*: {escape(why)}" for c, why in context.refused.items())
        text += f"\n:warning: Left out, Infobip refused them: {left_out}"
    return text


def _view(services: Services, context: MultiFormContext, page: FormPage) -> dict[str, Any]:
    last = page.page + 1 >= page.page_count
    view = modal(
        "Sender ID · " + ",".join(context.countries) if len(context.countries) <= 4 else "Sender ID · several",
        add_download_links(list(page.blocks), services.public_url, services.signing_secret),
        callback_id=MULTI_FORM,
        submit="Submit" if last else "Next",
        close="Cancel",
        private_metadata=context,
    )
    return view


def _validate(
    context: MultiFormContext, page: FormPage, values: dict[str, Any], previous: dict[str, Any]
) -> ValidatedForm | dict[str, str]:
    """The page's values, each field checked by the rules of its country (shared ones and the fixed
    fields by the first country's), or the errors by block_id. `previous`: what the form was drawn
    with (a company profile's documents, reused when no other file is attached)."""
    groups: dict[str | None, list[DomainRequirement]] = {}
    for requirement in page.requirements:
        owner, _ = split_key(requirement.key, context.countries)
        groups.setdefault(owner, []).append(requirement)
    errors: dict[str, str] = {}
    parts: list[ValidatedForm] = []
    fixed = validate_submission(
        values,
        groups.pop(None, []),
        fixed_fields=page.fixed_fields,
        previous=previous,
        country=context.countries[0],
        kind=RequestKind.ALPHANUMERIC_REGISTRATION,
    )
    for owner, requirements in [(None, None), *groups.items()]:
        result = (
            fixed
            if owner is None
            else validate_submission(values, requirements or [], previous=previous, country=owner)
        )
        if isinstance(result, dict):
            errors.update(result)
        else:
            parts.append(result)
    if errors:
        return errors
    return _in_form_order(combine_pages(parts), page)


def _in_form_order(form: ValidatedForm, page: FormPage) -> ValidatedForm:
    order = [r.key for r in page.requirements]
    return replace(form, order=tuple(key for key in order if key in form.order))


# ---- The profile picker ---------------------------------------------------------------------------


async def profile_picked(
    services: Services,
    ack,
    body: dict,
    client: AsyncWebClient,
    actor: Actor,
    values: dict,
    metadata: MultiFormContext | None,
) -> None:
    """A company profile picked at the top of the form: the form drawn again, every field whose key
    the profile holds filled (each country's `CC:key` from the profile's `key`), its documents
    reused, and what a country's rules refuse of its values under that country's field."""
    await ack()
    if metadata is None:  # a picker outside a multi-country form: not one of ours
        return
    view, context = body["view"], metadata
    draft = load_draft(services.db, context.state_key, actor.id)
    if draft is None:
        expired = message_view(TITLE, "This form has expired.", ["Start again with `/resource`."])
        await update_view(client, view["id"], expired)
        return
    merged = merge(_sets(draft))
    profile, prefill, problems, notice = await profile_form.filled_from_pick(
        services,
        body,
        values,
        draft,
        merged,
        fixed_fields=[f.value for f in fixed_fields_for(RequestKind.ALPHANUMERIC_REGISTRATION)],
        problems_of=lambda filled: problems_by_country(merged, filled, context.countries),
        keyed=lambda p: keyed_profile(p, merged, context.countries),
        whose="a country's",
    )
    context = context.model_copy(update={"profile": profile.id if profile else None, "page": 0})
    pages = _pages(services, context, draft.model_copy(update={"prefill": prefill}), problems=problems, notice=notice)
    context = context.model_copy(update={"page_count": len(pages)})
    await update_view(client, view["id"], _view(services, context, pages[0]), hash=view.get("hash"))


# ---- Submission -----------------------------------------------------------------------------


def _keys(view: dict[str, Any], context: MultiFormContext) -> dict[str, str]:
    """Each country's submission key: the form's submission and the country."""
    submission = view_key(view)
    return {country: f"{submission}:{country}" for country in context.countries}


async def handle_multi_submission(
    services: Services,
    client: AsyncWebClient,
    ack,
    view: dict[str, Any],
    *,
    user: str,
    context: MultiFormContext,
    values: dict[str, Any],
) -> None:
    """view_submission of a multi-country sender form."""
    keys = _keys(view, context)
    if any(get_intent(services.db, key) is not None for key in keys.values()):
        await _answer_repeat(services, client, ack, view, context)
        return
    draft = load_draft(services.db, context.state_key, user)
    if draft is None:
        await ack(
            response_action="update",
            view=message_view(TITLE, "This form has expired.", ["Start again with `/resource`; nothing was sent."]),
        )
        return
    pages = _pages(services, context, draft)
    page = pages[min(context.page, len(pages) - 1)]
    result = _validate(context, page, values, draft.prefill)
    form = await whole_form_or_next_page(services, ack, draft, pages, page, result, context, _view)
    if form is None:
        return
    forms = {country: split_form(form, country, context.countries) for country in context.countries}
    group_id = group_id_for(view_key(view))
    channel = services.settings.resourcebot_channel or context.channel_id
    await services.store.run(
        create_group,
        group_id,
        requester=user,
        channel=channel,
        members=[GroupMember(country, keys[country]) for country in context.countries],
        refused=context.refused,
    )
    claimed: list[tuple[Intent, ValidatedForm]] = []
    for country in context.countries:
        country_context = context.for_country(country)
        wanted = submit_request.wanted(
            key=keys[country],
            actor=user,
            draft_key=draft.key,
            view_id=None,  # the modal is this form's, shown below with every country's outcome
            body=request_body(country_context, forms[country]),
            record=request_record(services, user, country_context, draft, forms[country]),
        )
        wanted = replace(
            wanted,
            target=f"form:{draft.key}:{country}",
            context={**wanted.context, "form": country_context.dump(), "group": group_id, "prefill": {}},
        )
        claim = await claim_intent(services, SUBMIT_REQUEST, wanted)
        if claim.claimed:
            claimed.append((claim.intent, forms[country]))
    if not claimed:  # a copy of this submission got there first
        await _answer_repeat(services, client, ack, view, context)
        return
    await ack(response_action="update", view=loading_view(TITLE, SUBMITTING))
    acked_at = time.monotonic()
    await asyncio.gather(*(send_submission(services, SUBMIT_REQUEST, intent, f) for intent, f in claimed))
    await services.store.run(post_summary, group_id)
    await intent_views.show(client, view["id"], outcome_view(services, group_id), acked_at=acked_at)


async def _answer_repeat(
    services: Services, client: AsyncWebClient, ack, view: dict[str, Any], context: MultiFormContext
) -> None:
    """A copy of a submission already filed (or being filed): its outcome, nothing filed again."""
    group_id = group_id_for(view_key(view))
    keys = _keys(view, context)
    intents = [get_intent(services.db, key) for key in keys.values()]
    if all(i is not None and i.state != IntentState.INTENDED for i in intents):
        await ack(response_action="update", view=outcome_view(services, group_id))
        return
    await ack(response_action="update", view=loading_view(TITLE, SUBMITTING))
    acked_at = time.monotonic()
    for key in keys.values():
        await wait_settled(services, key, intent_views.REPEAT_WAIT_SECONDS)
    await intent_views.show(client, view["id"], outcome_view(services, group_id), acked_at=acked_at)


def outcome_view(services: Services, group_id: str) -> dict[str, Any]:
    """The modal's final view: each country's outcome."""
    group = get_group(services.db, group_id)
    if group is None:
        return message_view(TITLE, ":warning: Nothing was submitted.", ["Start again with `/resource`."])
    filed = sum(
        1
        for member in group.members
        if (intent := get_intent(services.db, member.intent)) is not None and intent.state == IntentState.DONE
    )
    where = f"<#{group.channel}>" if group.channel and group.channel[0] in "CG" else "your messages with the bot"
    headline = (
        f":white_check_mark: {filed} of {len(group.members) + len(group.refused)} requests were submitted."
        if filed
        else ":warning: No request was submitted."
    )
    details = [
        *multi_summary.lines(services.db, group),
        f"Each request has its own thread in {where}, and a summary there lists them all.",
    ]
    return message_view(TITLE, headline, details)
