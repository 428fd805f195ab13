"""Request forms from open to submit: lookup → modal → validation → documents → Infobip → thread.

The trigger_id lives 3 s and a provider lookup may take longer, so callers open a loading modal
first and this module replaces it (`views.update`) once the requirements are in. Submissions
are validated before they are acknowledged (errors show inline); the slow part (downloading
files from Slack, uploading them to Infobip, submitting) happens after a "Submitting…" ack.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timezone
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.form_values import flatten_state_values
from bot.domain.forms import FormContext, FormPage, RequestKind, build_form, feedback_by_key
from bot.domain.mrkdwn import escape
from bot.domain.submissions import GIVE_UP_AFTER
from bot.domain.validation import (
    ValidatedForm,
    combine_pages,
    errors_response,
    page_from_json,
    page_to_json,
    validate_submission,
)
from bot.providers.infobip.errors import InfobipError, InfobipUnknownOutcome
from bot.providers.infobip.events import PROVIDER
from bot.providers.infobip.models import (
    AlphaRegistrationSubmit,
    AlphaRequirementsQuery,
    FilledRequirement,
    NumberPurchaseSubmit,
    NumberRequirementsQuery,
    Platform,
    Requirement,
)
from bot.services import Services
from bot.slack.acks import settle_after_ack
from bot.slack.files import SlackFileError, download_file
from bot.slack.provider_errors import explain
from bot.slack.template_links import add_download_links
from bot.slack.views import form_view, loading_view, message_view
from bot.store import outbox
from bot.store.drafts import FormDraft, delete_draft, load_draft, save_draft, update_draft_values
from bot.store.events import record_bot_action
from bot.store.requests import RequestRecord, create_request, get_request, update_request
from bot.store.submissions import record_unconfirmed

log = logging.getLogger("bot.slack.forms")


def _query(context: FormContext) -> AlphaRequirementsQuery | NumberRequirementsQuery:
    if context.kind == RequestKind.ALPHANUMERIC_REGISTRATION:
        return AlphaRequirementsQuery(country_code=context.country, traffic_origin=context.traffic_origin,
                                      traffic_type=context.traffic_type)
    return NumberRequirementsQuery(country_code=context.country, number_type=context.number_type,
                                   capabilities=list(context.capabilities), quantity=context.quantity)


def _title(context: FormContext) -> str:
    return "Update request" if context.request_id else "New request"


def _form(services: Services, context: FormContext, page: FormPage, error: str | None = None) -> dict:
    """A form page with its template buttons turned into signed download links to the bot."""
    view = form_view(context, page, error=error)
    view["blocks"] = add_download_links(view["blocks"], services.public_url, services.signing_secret)
    return view


async def show_form(services: Services, client: AsyncWebClient, *, view_id: str, user: str, context: FormContext,
                    prefill: dict[str, Any] | None = None, feedback: dict[str, str] | None = None,
                    note: str | None = None, acked_at: float | None = None) -> None:
    """Look up the requirements and replace the loading modal `view_id` with the form
    (`acked_at`: when the loading view was put up by an ack rather than by views.open)."""
    try:
        requirements = await services.infobip.lookup_requirements(_query(context))
    except InfobipError as error:
        headline, details = explain(error)
        await settle_after_ack(acked_at)
        await client.views_update(view_id=view_id, view=message_view(_title(context), f":warning: {headline}", details))
        return
    draft = save_draft(
        services.db, user,
        requirements=[r.model_dump(mode="json", by_alias=True, exclude_none=True) for r in requirements],
        prefill=prefill or {}, feedback=feedback or {}, labels={r.key: r.name or r.key for r in requirements},
    )
    context = context.model_copy(update={"state_key": draft.key, "page": 0})
    pages = build_form(context, requirements, prefill=prefill, feedback=feedback, note=note)
    context = context.model_copy(update={"page_count": len(pages)})
    await settle_after_ack(acked_at)
    await client.views_update(view_id=view_id, view=_form(services, context, pages[0]))


# ---- Submission -----------------------------------------------------------------------------

async def handle_submission(services: Services, client: AsyncWebClient, ack, body: dict) -> None:
    """view_submission of a request form (new or update)."""
    user = body["user"]["id"]
    view = body["view"]
    context = FormContext.load(view["private_metadata"])
    draft = load_draft(services.db, context.state_key, user)
    if draft is None:
        await ack(response_action="update", view=message_view(
            _title(context), "This form has expired.", ["Start again with `/resource`; nothing was sent."]))
        return
    requirements = [Requirement.model_validate(r) for r in draft.requirements]
    pages = build_form(context, requirements, prefill=draft.prefill, feedback=draft.feedback)
    page = pages[min(context.page, len(pages) - 1)]
    values = flatten_state_values(view["state"]["values"])
    result = validate_submission(values, page.requirements, fixed_fields=page.fixed_fields,
                                 previous=draft.prefill, country=context.country)
    if isinstance(result, dict):
        await ack(errors_response(result))
        return
    done_pages = {**draft.values, str(page.page): page_to_json(result)}
    if page.page + 1 < len(pages):
        update_draft_values(services.db, draft.key, done_pages)
        next_context = context.model_copy(update={"page": page.page + 1})
        await ack(response_action="update", view=_form(services, next_context, pages[page.page + 1]))
        return
    await ack(response_action="update", view=loading_view(_title(context), "Submitting to Infobip…"))
    form = combine_pages([page_from_json(done_pages[str(i)]) for i in range(len(pages))])
    await _send(services, client, view_id=view["id"], user=user, context=context, draft=draft,
                requirements=requirements, form=form)


async def _upload_documents(services: Services, form: ValidatedForm,
                            uploaded: list[str]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Slack files → Infobip documentIds, by requirement key; also the file names for the thread.
    Each id is appended to `uploaded` as soon as it exists, so a failure can clean up after it."""
    ids: dict[str, list[str]] = {}
    names: dict[str, list[str]] = {}
    for key, files in form.uploads.items():
        for file in files:
            downloaded = await download_file(services.http, file, services.bot_token,
                                             allowed_hosts=services.slack_file_hosts)
            try:
                document_id = await services.infobip.upload_document(downloaded.name, downloaded.content)
            except ValueError as error:  # a file type Infobip does not take
                raise SlackFileError(str(error)) from None
            except InfobipUnknownOutcome:  # the request itself was not sent: uploading again is harmless
                raise SlackFileError(f"Infobip did not confirm the upload of {downloaded.name}.") from None
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


def _prefill_from(form: ValidatedForm, draft: FormDraft) -> dict[str, Any]:
    """What was typed, to show the form again after the provider refused it."""
    prefill = dict(draft.prefill)
    prefill.update({item["key"]: item["value"] for item in form.requirements})
    prefill.update(form.fixed_values())
    return prefill


async def _send(services: Services, client: AsyncWebClient, *, view_id: str, user: str, context: FormContext,
                draft: FormDraft, requirements: list[Requirement], form: ValidatedForm) -> None:
    acked_at = time.monotonic()  # called right after the "Submitting…" ack
    uploaded: list[str] = []
    try:
        document_ids, file_names = await _upload_documents(services, form, uploaded)
        filled = form.with_document_ids(document_ids) if document_ids else form.requirements
        if context.request_id:
            request = await _send_update(services, user, context, draft, filled, file_names)
        else:
            request = await _send_new(services, user, context, draft, form, filled, file_names)
    except InfobipUnknownOutcome as error:
        # It may have gone through: showing the form again would invite a duplicate request.
        log.warning("%s by %s has an unknown outcome: %s", "update" if context.request_id else "submission", user, error)
        headline, details = explain(error)
        if not context.request_id:
            where = _where(services.settings.resourcebot_channel or context.channel_id)
            details = [*details[:1], f"If Infobip has it, its thread appears in {where} within a few minutes. "
                       f"If not, you'll get a direct message within {GIVE_UP_AFTER.seconds // 60} minutes saying "
                       "so, and you can submit it again.", *details[1:]]
        await settle_after_ack(acked_at)
        await client.views_update(view_id=view_id, view=message_view(_title(context), f":warning: {headline}", details))
        return
    except (InfobipError, SlackFileError) as error:
        await _delete_documents(services, uploaded)
        headline, details = explain(error) if isinstance(error, InfobipError) else (escape(str(error)), [])
        retry_context = context.model_copy(update={"page": 0})
        retry_pages = build_form(retry_context, requirements, prefill=_prefill_from(form, draft),
                                 feedback=draft.feedback)
        message = "\n".join([f"*{headline}*", *details, "Nothing was submitted. Fix it below and submit again"
                             + (" (attach the files again)." if form.uploads else ".")])
        await settle_after_ack(acked_at)
        await client.views_update(view_id=view_id, view=_form(services, retry_context, retry_pages[0], error=message))
        return
    delete_draft(services.db, draft.key)
    services.outbox.wake()
    where = _where(request.channel)
    verb = "Your update was sent" if context.request_id else "Your request was submitted"
    await settle_after_ack(acked_at)
    await client.views_update(view_id=view_id, view=message_view(
        _title(context), f":white_check_mark: {verb}. Request `{request.id}`.",
        [f"Follow it in its thread in {where}: every status change is posted there."]))


def _where(channel: str | None) -> str:
    """Where a request's thread goes, as the requester reads it."""
    in_channel = channel and channel[0] in "CG"  # public or private channel, not a DM
    return f"<#{channel}>" if in_channel else "your messages with the bot"


def _platform(form: ValidatedForm) -> Platform | None:
    if form.application_id or form.entity_id:
        return Platform(application_id=form.application_id, entity_id=form.entity_id)
    return None


async def _send_new(services: Services, user: str, context: FormContext, draft: FormDraft, form: ValidatedForm,
                    filled: list[dict[str, Any]], file_names: dict[str, list[str]]) -> RequestRecord:
    requirement_values = [FilledRequirement(key=item["key"], value=item["value"]) for item in filled]
    emails = form.additional_contact_emails or None
    if context.kind == RequestKind.ALPHANUMERIC_REGISTRATION:
        body = AlphaRegistrationSubmit(sender_name=form.sender_name, country_code=context.country,
                                       requirements=requirement_values, additional_contact_emails=emails,
                                       traffic_origin=context.traffic_origin, traffic_type=context.traffic_type,
                                       platform=_platform(form))
    else:
        body = NumberPurchaseSubmit(country_code=context.country, number_type=context.number_type,
                                    capabilities=list(context.capabilities), quantity=form.quantity or context.quantity,
                                    requirements=requirement_values, additional_contact_emails=emails,
                                    platform=_platform(form))
    channel = services.settings.resourcebot_channel or context.channel_id
    fields = dict(provider=PROVIDER, kind=str(context.kind), country=context.country, sender_name=form.sender_name,
                  number_type=context.number_type, capabilities=list(context.capabilities) or None,
                  quantity=form.quantity or context.quantity, requester=user, channel=channel,
                  submitted={"requirements": filled, "labels": draft.labels, **form.fixed_values()},
                  files=file_names)
    attempted_at = services.clock.now()
    try:
        provider_id = await services.infobip.submit_resource_request(body)
    except InfobipUnknownOutcome:
        # It may have been created: never sent again. The reconciler looks for it by listing
        # requests, and links it or tells the requester that nothing was created.
        pending = record_unconfirmed(services.db, attempted_at=attempted_at, **fields)
        log.warning("request %s by %s: submission unconfirmed; the reconciler will look for it", pending.id, user)
        raise
    status, status_at = "PENDING", datetime.now(timezone.utc)
    try:
        created = await services.infobip.get_resource_request(provider_id)
        status = str(created.status or status)
        status_at = created.requested_date or status_at
    except InfobipError as error:  # the request exists; its first status can come later
        log.warning("submitted %s but could not read it back: %s", provider_id, error)
    with services.db.atomic():
        request = create_request(services.db, provider_request_id=provider_id, status=status,
                                 status_at=status_at.isoformat(), **fields)
        outbox.enqueue(services.db, request.id, outbox.THREAD_ROOT)
        outbox.enqueue(services.db, request.id, outbox.HOME_REFRESH)
    log.info("request %s submitted as Infobip %s by %s", request.id, provider_id, user)
    return request


async def _send_update(services: Services, user: str, context: FormContext, draft: FormDraft,
                       filled: list[dict[str, Any]], file_names: dict[str, list[str]]) -> RequestRecord:
    request = get_request(services.db, context.request_id)
    if request is None or request.provider_request_id is None:
        raise SlackFileError("This request is no longer known to the bot.")
    updated = await services.infobip.update_resource_request(
        request.provider_request_id, [FilledRequirement(key=item["key"], value=item["value"]) for item in filled])
    files = {**request.files, **file_names}
    submitted = {**request.submitted, "requirements": filled}
    with services.db.atomic():
        update_request(services.db, request.id, submitted=submitted, files=files)
        record_bot_action(services.db, request, str(updated.status or "AUTOMATIC_VALIDATION"), "updated", user)
    return get_request(services.db, request.id)  # type: ignore[return-value]


async def open_update_form(services: Services, client: AsyncWebClient, *, trigger_id: str, user: str,
                           request: RequestRecord) -> None:
    """The form again, prefilled with what was sent, each flagged field showing its feedback."""
    loading = await client.views_open(trigger_id=trigger_id,
                                      view=loading_view("Update request", "Loading the reviewer's feedback…"))
    view_id = loading["view"]["id"]
    try:
        current = await services.infobip.get_resource_request(request.provider_request_id or "")
    except InfobipError as error:
        headline, details = explain(error)
        await client.views_update(view_id=view_id, view=message_view("Update request", f":warning: {headline}", details))
        return
    prefill = {item.key: item.value for item in current.requirements or []}
    prefill.update({k: v for k, v in request.submitted.items() if k not in ("requirements", "labels")})
    context = FormContext(kind=RequestKind(request.kind), country=request.country or "",
                          number_type=request.number_type, capabilities=tuple(request.capabilities),
                          quantity=request.quantity, request_id=request.id, channel_id=request.channel)
    await show_form(services, client, view_id=view_id, user=user, context=context, prefill=prefill,
                    feedback=feedback_by_key(current.requirements_feedback or []), note=current.note)
