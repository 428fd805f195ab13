"""Request forms from open to submit: lookup → modal → validation → documents → Infobip → thread.

The trigger_id lives 3 s and a provider lookup may take longer, so callers open a loading modal
first and this module replaces it (`views.update`) once the requirements are in. Submissions
are validated before they are acknowledged (errors show inline); the slow part (downloading
files from Slack, uploading them to Infobip, submitting) happens after a "Submitting…" ack.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar

from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.approvals import NUMBER_REQUEST, RCS_REQUEST, SENDER_REQUEST
from bot.domain.forms import RequestKind, feedback_by_key
from bot.domain.numbers import country_name, type_label
from bot.domain.validation import (
    ValidatedForm,
    combine_pages,
    page_from_json,
    page_to_json,
    validate_submission,
)
from bot.providers.error_records import error_from_record
from bot.providers.infobip.errors import InfobipError, InfobipUnknownOutcome
from bot.providers.infobip.events import PROVIDER
from bot.providers.infobip.mapping import to_domain_requirements
from bot.providers.infobip.models import (
    AlphaRequirementsQuery,
    NumberRequirementsQuery,
    RcsRequirementsQuery,
    Requirement,
    TrafficOrigin,
)
from bot.providers.infobip.requirements_cache import refused_over_requirements
from bot.slack import intent_views, multi_summary
from bot.slack.acks import errors_response, settle_after_ack
from bot.slack.approvals import asking
from bot.slack.files import SlackFileError, download_file
from bot.slack.form_blocks import FormPage
from bot.slack.form_context import FormContext
from bot.slack.mrkdwn import MODAL_TITLE_MAX, escape, plain_text
from bot.slack.profiles import form as profile_forms
from bot.slack.provider_errors import explain
from bot.slack.template_links import add_download_links
from bot.slack.view_metadata import ViewMetadata
from bot.slack.views import form_view, loading_view, message_view
from bot.store.drafts import FormDraft, load_draft, save_draft, update_draft_values
from bot.store.intents import Intent, IntentState
from bot.store.requests import RequestRecord, get_request, new_request_id
from bot.usecases import submit_request, update_request
from bot.usecases.cancel_request import CANCEL_REQUEST
from bot.usecases.common import failed, view_key
from bot.usecases.runner import Outcome, UseCase, Wanted, carry_out, claim_intent, settle_outcome
from bot.usecases.submit_request import SUBMIT_REQUEST
from bot.usecases.update_request import UPDATE_REQUEST

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger("bot.slack.forms")


def _query(context: FormContext) -> AlphaRequirementsQuery | NumberRequirementsQuery | RcsRequirementsQuery:
    if context.kind == RequestKind.ALPHANUMERIC_REGISTRATION:
        return AlphaRequirementsQuery(
            country_code=context.country, traffic_origin=context.traffic_origin, traffic_type=context.traffic_type
        )
    if context.kind == RequestKind.RCS_SENDER_LAUNCH:  # Infobip needs the origin for RCS
        return RcsRequirementsQuery(
            country_code=context.country, traffic_origin=TrafficOrigin(context.traffic_origin or TrafficOrigin.LOCAL)
        )
    return NumberRequirementsQuery(
        country_code=context.country,
        number_type=context.number_type,
        capabilities=list(context.capabilities),
        quantity=context.quantity,
    )


def _title(context: FormContext) -> str:
    return "Update request" if context.request_id else "New request"


def _approval_kind(services: Services, context: FormContext) -> str | None:
    """What kind of approval a new request of this form needs; None: none."""
    if context.request_id:
        return None  # an update of a request that was approved, or needed none
    kind = _APPROVAL_KINDS[context.kind]
    return kind if asking.needed(services, kind) else None


_APPROVAL_KINDS = {
    RequestKind.NUMBER_PURCHASE: NUMBER_REQUEST,
    RequestKind.ALPHANUMERIC_REGISTRATION: SENDER_REQUEST,
    RequestKind.RCS_SENDER_LAUNCH: RCS_REQUEST,
}


def _form(services: Services, context: FormContext, page: FormPage, error: str | None = None) -> dict:
    """A form page with its template buttons turned into signed download links to the bot; the
    last page of one that needs an approval asks why, and says that it does."""
    view = form_view(context, page, error=error)
    blocks = add_download_links(view["blocks"], services.public_url, services.signing_secret)
    if page.page + 1 >= page.page_count and _approval_kind(services, context):
        blocks = [*blocks, *asking.form_blocks("Infobip")]
        view["submit"] = plain_text("Ask for approval", MODAL_TITLE_MAX)
    view["blocks"] = blocks
    return view


def form_page_view(services: Services, context: FormContext, page: FormPage) -> dict:
    """One page of a request form as its modal (a form redrawn from a company profile)."""
    return _form(services, context, page)


async def show_form(
    services: Services,
    client: AsyncWebClient,
    *,
    view_id: str,
    user: str,
    context: FormContext,
    prefill: dict[str, Any] | None = None,
    feedback: dict[str, str] | None = None,
    note: str | None = None,
    acked_at: float | None = None,
) -> None:
    """Look up the requirements and replace the loading modal `view_id` with the form
    (`acked_at`: when the loading view was put up by an ack rather than by views.open)."""
    try:
        requirements = await services.requirements.lookup(_query(context))
    except InfobipError as error:
        headline, details = explain(error)
        await settle_after_ack(acked_at)
        await client.views_update(view_id=view_id, view=message_view(_title(context), f":warning: {headline}", details))
        return
    draft = await services.store.run(
        save_draft,
        user,
        requirements=[r.model_dump(mode="json", by_alias=True, exclude_none=True) for r in requirements],
        prefill=prefill or {},
        feedback=feedback or {},
        labels={r.key: r.name or r.key for r in requirements},
    )
    offer = profile_forms.offered(services, context)
    context = context.model_copy(update={"state_key": draft.key, "page": 0, "profile_picker": offer})
    pages = profile_forms.build_pages(
        services, context, to_domain_requirements(requirements), prefill=prefill, feedback=feedback, note=note
    )
    context = context.model_copy(update={"page_count": len(pages)})
    await settle_after_ack(acked_at)
    await client.views_update(view_id=view_id, view=_form(services, context, pages[0]))


# ---- Submission -----------------------------------------------------------------------------

SUBMITTING = "Submitting to Infobip…"


async def handle_submission(
    services: Services, client: AsyncWebClient, ack, view: dict, *, user: str, context: FormContext, values: dict
) -> None:
    """view_submission of a request form (new or update): `context` is its metadata, `values` its inputs."""
    working = loading_view(_title(context), SUBMITTING)
    if await intent_views.answered_as_repeat(
        services, client, ack, view, working=working, render=lambda intent: submission_view(services, intent)
    ):
        return
    draft = load_draft(services.db, context.state_key, user)
    if draft is None:
        await ack(
            response_action="update",
            view=message_view(
                _title(context), "This form has expired.", ["Start again with `/resource`; nothing was sent."]
            ),
        )
        return
    requirements = to_domain_requirements(Requirement.model_validate(r) for r in draft.requirements)
    pages = profile_forms.build_pages(services, context, requirements, prefill=draft.prefill, feedback=draft.feedback)
    page = pages[min(context.page, len(pages) - 1)]
    result = validate_submission(
        values,
        page.requirements,
        fixed_fields=page.fixed_fields,
        previous=draft.prefill,
        country=context.country,
        kind=context.kind,
    )
    form = await whole_form_or_next_page(services, ack, draft, pages, page, result, context, _form)
    if form is None:
        return
    if context.request_id:
        request = get_request(services.db, context.request_id)
        if request is None or request.provider_request_id is None:
            await ack(
                response_action="update",
                view=message_view(
                    _title(context), "This request is no longer known to the bot.", ["Nothing was sent."]
                ),
            )
            return
        use_case, wanted = (
            UPDATE_REQUEST,
            update_request.wanted(
                key=view_key(view), actor=user, request=request, draft_key=draft.key, view_id=view["id"]
            ),
        )
    else:
        use_case, wanted = (
            SUBMIT_REQUEST,
            submit_request.wanted(
                key=view_key(view),
                actor=user,
                draft_key=draft.key,
                view_id=view["id"],
                body=_body(context, form),
                record=_record(services, user, context, draft, form),
            ),
        )
    wanted = replace(
        wanted,
        context={
            **wanted.context,
            "form": context.dump(),
            "prefill": _prefill_from(form, draft),
            "attached": bool(form.uploads),
        },
    )
    if kind := _approval_kind(services, context):
        await _ask_approval(services, client, ack, view["id"], kind, context, wanted, form, asking.reason(values))
        return
    claimed = await claim_intent(services, use_case, wanted)
    if not claimed.claimed:
        if claimed.busy:
            await ack(
                response_action="update",
                view=intent_views.busy_view(
                    _title(context), claimed.intent, f"changing request `{context.request_id}`"
                ),
            )
        else:
            await intent_views.answer_repeat(
                services,
                client,
                ack,
                view["id"],
                claimed.intent,
                working=loading_view(_title(context), SUBMITTING),
                render=lambda intent: submission_view(services, intent),
            )
        return
    await ack(response_action="update", view=loading_view(_title(context), SUBMITTING))
    acked_at = time.monotonic()
    intent = await _send(services, use_case, claimed.intent, form)
    await intent_views.show(client, view["id"], submission_view(services, intent), acked_at=acked_at)


Metadata = TypeVar("Metadata", bound=ViewMetadata)


async def whole_form_or_next_page(
    services: Services,
    ack,
    draft: FormDraft,
    pages: list[FormPage],
    page: FormPage,
    checked: ValidatedForm | dict[str, str],
    context: Metadata,
    render: Callable[[Services, Metadata, FormPage], dict],
) -> ValidatedForm | None:
    """`page` of a form submitted, `checked`: refused, its errors under its fields; else its values
    kept with the draft and, before the last page, the next one shown (`render`ed with `context`
    at that page). None unless this was the last page: then every page's values, as one form."""
    if isinstance(checked, dict):
        await ack(errors_response(checked))
        return None
    done_pages = {**draft.values, str(page.page): page_to_json(checked)}
    if page.page + 1 < len(pages):
        await services.store.run(update_draft_values, draft.key, done_pages, budget=1.5)
        following = context.model_copy(update={"page": page.page + 1})
        await ack(response_action="update", view=render(services, following, pages[page.page + 1]))
        return None
    return combine_pages([page_from_json(done_pages[str(i)]) for i in range(len(pages))])


def _what(context: FormContext, form: ValidatedForm) -> str:
    """What a new request asks for, in a few words: "2 × 10DLC", "sender ACME"."""
    if context.kind == RequestKind.NUMBER_PURCHASE:
        quantity = form.quantity or context.quantity or 1
        return f"{quantity} × {type_label(context.number_type)}"
    if context.kind == RequestKind.RCS_SENDER_LAUNCH:
        return f"RCS sender {form.sender_name}" if form.sender_name else "an RCS sender launch"
    return f"sender {form.sender_name}" if form.sender_name else "a sender registration"


async def _ask_approval(
    services: Services,
    client: AsyncWebClient,
    ack,
    view_id: str,
    kind: str,
    context: FormContext,
    wanted: Wanted,
    form: ValidatedForm,
    reason: str | None,
) -> None:
    """A new request that needs a decision: stored as waiting with its thread (once), nothing sent
    to Infobip. Its documents are uploaded once it is approved (`perform_approved`)."""
    params = wanted.params if form.uploads else submit_request.params_with(wanted.params, form.requirements, {})
    wanted = replace(
        wanted,
        request_id=new_request_id(),
        params=params,
        context={**wanted.context, "validated": page_to_json(form)},
    )
    record = params["record"]
    summary = {
        "what": _what(context, form),
        "country": country_name(context.country),
        "where": record.get("channel"),
        "reason": reason,
        "quantity": form.quantity or context.quantity,
        "type": type_label(context.number_type) if context.number_type else None,
        "capabilities": ", ".join(context.capabilities) or None,
    }
    await asking.ask(services, client, ack, view_id, _title(context), SUBMIT_REQUEST, wanted, kind, summary, record)


async def perform_approved(services: Services, use_case: UseCase, intent: Intent) -> Intent:
    """An approved request of a form: its documents uploaded, then submitted once (as `_send`)."""
    return await _send(services, use_case, intent, page_from_json(intent.context["validated"]))


async def _upload_documents(
    services: Services, form: ValidatedForm, uploaded: list[str]
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Slack files → Infobip documentIds, by requirement key; also the file names for the thread.
    Each id is appended to `uploaded` as soon as it exists, so a failure can clean up after it."""
    ids: dict[str, list[str]] = {}
    names: dict[str, list[str]] = {}
    for key, files in form.uploads.items():
        for file in files:
            try:
                downloaded = await download_file(
                    services.http, file, services.bot_token, allowed_origins=services.slack_file_origins
                )
            except SlackFileError as error:
                raise FieldFileError(key, str(error)) from error
            try:
                document_id = await services.infobip.upload_document(downloaded.name, downloaded.content)
            except ValueError as error:  # a file type Infobip does not take
                raise FieldFileError(key, str(error)) from None
            except InfobipUnknownOutcome:  # the request itself was not sent: uploading again is harmless
                raise FieldFileError(key, f"Infobip did not confirm the upload of {downloaded.name}.") from None
            uploaded.append(document_id)
            ids.setdefault(key, []).append(document_id)
            names.setdefault(key, []).append(downloaded.name)
    return ids, names


async def _delete_documents(services: Services, document_ids: list[str]) -> None:
    """Best effort: documents of a submission that did not happen would only clutter the account."""
    for document_id in document_ids:
        try:
            await services.infobip.delete_document(document_id)
        except InfobipError as error:
            log.info("could not delete unused document %s: %s", document_id, error)


class FieldFileError(SlackFileError):
    """A file of one field could not be fetched or uploaded: shown under that field."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


def _prefill_from(form: ValidatedForm, draft: FormDraft) -> dict[str, Any]:
    """What was typed, to show the form again after the provider refused it."""
    prefill = dict(draft.prefill)
    prefill.update({item["key"]: item["value"] for item in form.requirements})
    prefill.update(form.fixed_values())
    return prefill


async def _send(services: Services, use_case: UseCase, intent: Intent, form: ValidatedForm) -> Intent:
    """Documents uploaded, then the claimed submission or update performed; its intent settled."""
    uploaded: list[str] = []
    try:
        document_ids, file_names = await _upload_documents(services, form, uploaded)
    except (InfobipError, SlackFileError) as error:
        await _delete_documents(services, uploaded)
        field = {"field": error.key} if isinstance(error, FieldFileError) else {}
        return await settle_outcome(
            services, use_case, intent, Outcome.refused(**failed(error), **field), resolved_by="call"
        )
    filled = form.with_document_ids(document_ids) if document_ids else form.requirements
    if "form" in intent.context:  # documents reused from a company profile are named in the thread too
        form_context = FormContext.load(intent.context["form"])
        file_names = {**profile_forms.reused_file_names(services, form_context, filled), **file_names}
    module = update_request if use_case is UPDATE_REQUEST else submit_request
    settled = await carry_out(services, use_case, module.with_requirements(intent, filled, file_names))
    if settled.state == IntentState.REFUSED:
        await _delete_documents(services, uploaded)
        _forget_outdated_requirements(services, settled)
    elif settled.state == IntentState.UNKNOWN:
        log.warning("%s by %s has an unknown outcome", use_case.action, intent.actor)
    return settled


def _forget_outdated_requirements(services: Services, intent: Intent) -> None:
    """Infobip refused the form over its requirements: the kept lookup it was built from is
    dropped, so that the form opened next shows what Infobip asks for now."""
    record = intent.outcome.get("error")
    if record and refused_over_requirements(error_from_record(record)):
        services.requirements.forget(_query(FormContext.load(intent.context["form"])))


def _where(channel: str | None) -> str:
    """Where a request's thread goes, as the requester reads it."""
    in_channel = channel and channel[0] in "CG"  # public or private channel, not a DM
    return f"<#{channel}>" if in_channel else "your messages with the bot"


def _body(context: FormContext, form: ValidatedForm) -> dict[str, Any]:
    """What a new request's submit carries, but its requirements (see usecases/submit_request.py)."""
    return {
        "kind": str(context.kind),
        "country": context.country,
        "senderName": form.sender_name,
        "additionalContactEmails": form.additional_contact_emails or None,
        "trafficOrigin": context.traffic_origin,
        "trafficType": context.traffic_type,
        "excludedCarriers": form.excluded_carriers or None,
        "numberType": context.number_type,
        "capabilities": list(context.capabilities),
        "quantity": form.quantity or context.quantity,
        "applicationId": form.application_id,
        "entityId": form.entity_id,
    }


def _record(
    services: Services, user: str, context: FormContext, draft: FormDraft, form: ValidatedForm
) -> dict[str, Any]:
    """The request row's fields (its requirements and files are added once uploaded)."""
    return dict(
        provider=PROVIDER,
        kind=str(context.kind),
        country=context.country,
        sender_name=form.sender_name,
        number_type=context.number_type,
        capabilities=list(context.capabilities) or None,
        quantity=form.quantity or context.quantity,
        requester=user,
        channel=services.settings.resourcebot_channel or context.channel_id,
        submitted={"requirements": form.requirements, "labels": draft.labels, **form.fixed_values()},
        files={},
    )


def _submission_dm(intent: Intent) -> str | None:
    """How a submission or update settled by recovery ended, for the requester."""
    context = FormContext.load(intent.context["form"])
    what = f"update of request `{context.request_id}`" if context.request_id else "request"
    if intent.state == IntentState.DONE:
        return (
            f":white_check_mark: Your {what} reached Infobip after all: request `{intent.request_id}`. Follow it "
            f"in its thread in {_where(intent.context.get('channel'))}."
        )
    if intent.outcome.get("not_submitted"):
        return None  # the requester gets the "did not reach Infobip" DM of the request itself
    return f":warning: Your {what} did not reach Infobip: nothing was changed. You can send it again."


def _cancel_dm(intent: Intent) -> str:
    if intent.state == IntentState.DONE:
        return f":white_check_mark: Request `{intent.request_id}` is canceled, as you asked."
    return f":warning: Request `{intent.request_id}` was not canceled: the provider still has it open."


def submission_view(services: Services, intent: Intent) -> dict:
    """The request form's modal as its submission's outcome says (also for repeats and recovery)."""
    context = FormContext.load(intent.context["form"])
    title = _title(context)
    if intent.context.get("group"):  # one country of a multi-country form: its line (bot/slack/multi_forms.py)
        return message_view(title, multi_summary.country_line(services.db, context.country, intent.key))
    if intent.state == IntentState.INTENDED:
        return loading_view(title, SUBMITTING)
    if intent.state == IntentState.DONE:
        request = get_request(services.db, intent.request_id or "")
        verb = "Your update was sent" if context.request_id else "Your request was submitted"
        done = message_view(
            title,
            f":white_check_mark: {verb}. Request `{intent.request_id}`.",
            [
                f"Follow it in its thread in {_where(request.channel if request else None)}: "
                "every status change is posted there."
            ],
        )
        done["blocks"] += profile_forms.save_offer(services, intent)
        return done
    if intent.state == IntentState.UNKNOWN:
        headline, details = explain(InfobipUnknownOutcome(intent.action, "no answer"))
        if not context.request_id:
            where = _where(intent.context.get("channel"))
            details = [
                *details[:1],
                f"If Infobip has it, its thread appears in {where} within a few minutes. "
                "If not, you'll get a direct message saying so, and you can submit it again.",
            ]
        return message_view(title, f":warning: {headline}", details)
    outcome = intent.outcome
    if outcome.get("not_sent"):
        return message_view(
            title,
            ":warning: Nothing was submitted.",
            ["The bot stopped before it sent this to Infobip. Start again with `/resource`."],
        )
    if outcome.get("not_submitted") or outcome.get("not_applied"):
        what = "update" if context.request_id else "request"
        return message_view(
            title,
            f":warning: Your {what} did not reach Infobip.",
            ["Nothing was changed. Start again with `/resource`, or the Update button in the thread."],
        )
    return _refused_form(services, intent, context)


def _refused_form(services: Services, intent: Intent, context: FormContext) -> dict:
    """The form again, as typed, with what the provider (or a file) refused at its top."""
    record = intent.outcome.get("error") or {}
    error = error_from_record(record)
    headline, details = explain(error) if isinstance(error, InfobipError) else (escape(str(error)), [])
    attach = " (attach the files again)." if intent.context.get("attached") else "."
    field = intent.outcome.get("field")
    if field:  # the message goes under that file's field
        headline, details = "An attached file could not be used.", []
    fix = "Nothing was submitted. Fix it below and submit again" + attach
    if refused_over_requirements(error):
        fix = "Nothing was submitted. What Infobip asks for may have changed: close this and open the form again."
    message = "\n".join([f"*{headline}*", *details, fix])
    draft = load_draft(services.db, context.state_key, intent.actor)
    if draft is None:
        return message_view(_title(context), f":x: {headline}", [*details, "Nothing was submitted."])
    requirements = to_domain_requirements(Requirement.model_validate(r) for r in draft.requirements)
    retry_context = context.model_copy(update={"page": 0})
    retry_pages = profile_forms.build_pages(
        services,
        retry_context,
        requirements,
        prefill=intent.context.get("prefill") or {},
        feedback=draft.feedback,
        problems={field: str(error)} if field else None,
    )
    return _form(services, retry_context, retry_pages[0], error=message)


async def open_update_form(
    services: Services, client: AsyncWebClient, *, trigger_id: str, user: str, request: RequestRecord
) -> None:
    """The form again, prefilled with what was sent, each flagged field showing its feedback."""
    loading = await client.views_open(
        trigger_id=trigger_id, view=loading_view("Update request", "Loading the reviewer's feedback…")
    )
    view_id = loading["view"]["id"]
    try:
        current = await services.infobip.get_resource_request(request.provider_request_id or "")
    except InfobipError as error:
        headline, details = explain(error)
        failed_view = message_view("Update request", f":warning: {headline}", details)
        await client.views_update(view_id=view_id, view=failed_view)
        return
    prefill = {item.key: item.value for item in current.requirements or []}
    prefill.update({k: v for k, v in request.submitted.items() if k not in ("requirements", "labels")})
    context = FormContext(
        kind=RequestKind(request.kind),
        country=request.country or "",
        number_type=request.number_type,
        capabilities=tuple(request.capabilities),
        quantity=request.quantity,
        # The lookup of an RCS launch needs its origin again: as Infobip has it on the request.
        traffic_origin=str(current.traffic_origin or "LOCAL")
        if request.kind == RequestKind.RCS_SENDER_LAUNCH
        else None,
        request_id=request.id,
        channel_id=request.channel,
    )
    await show_form(
        services,
        client,
        view_id=view_id,
        user=user,
        context=context,
        prefill=prefill,
        feedback=feedback_by_key(current.requirements_feedback or []),
        note=current.note,
    )


# What a multi-country form (bot/slack/multi_forms.py) does once per country, as a form of one does.
request_body = _body
request_record = _record
send_submission = _send

RENDERERS: dict[str, dict[str, Any]] = {
    SUBMIT_REQUEST.action: {"view": submission_view, "dm": _submission_dm},
    UPDATE_REQUEST.action: {"view": submission_view, "dm": _submission_dm},
    CANCEL_REQUEST.action: {"dm": _cancel_dm},
}
