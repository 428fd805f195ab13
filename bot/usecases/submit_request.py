"""Submitting a new resource request to Infobip: once, with its thread posted once.

Infobip takes no idempotency key, so the intent is what makes it once: claimed under the form's
submission key before anything is sent, its documents uploaded, then `attempted_at` committed
right before the submit. The request record, its thread root and the Home refresh are committed
with the outcome.

A lost answer (or a crash after the submit was sent) leaves the request unconfirmed: a request
row without a provider id (bot/store/submissions.py). Each recovery pass then lists Infobip's
requests and links the one this submission made (its thread is posted and the requester told),
or after RESOURCEBOT_UNCONFIRMED_GIVE_UP_SECONDS marks it not submitted and tells the requester.
A crash before the submit was sent is known for sure: nothing was submitted.

A number request that needed an approval has had its request row and thread since it waited
(bot/store/approvals.py, status WAITING_APPROVAL): the approved submission fills that row in.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import sqlite_utils

from bot.domain.approvals import WAITING_APPROVAL
from bot.domain.forms import RequestKind
from bot.domain.submissions import NOT_SUBMITTED, UNCONFIRMED
from bot.providers.infobip.errors import InfobipError, InfobipUnknownOutcome
from bot.providers.infobip.events import PROVIDER
from bot.providers.infobip.models import (
    AlphaRegistrationSubmit,
    FilledRequirement,
    NumberPurchaseSubmit,
    Platform,
    RcsSenderLaunchSubmit,
    ResourceRequestSubmit,
    TrafficOrigin,
)
from bot.store import outbox
from bot.store.drafts import delete_draft
from bot.store.intents import Intent, IntentState, mark_attempted
from bot.store.requests import create_request, get_request, new_request_id, update_request
from bot.store.submissions import record_unconfirmed
from bot.usecases.common import audit_request, failed
from bot.usecases.runner import Outcome, UseCase, Wanted

if TYPE_CHECKING:
    from bot.services import Services

ACTION = "request.submit"


def wanted(
    *, key: str, actor: str, draft_key: str, body: dict[str, Any], record: dict[str, Any], view_id: str | None
) -> Wanted:
    """`body`: what is submitted but the requirements (kind, country, sender, …); `record`: the
    request row's fields. The requirements are added once the documents are uploaded."""
    return Wanted(
        key=key,
        target=f"form:{draft_key}",
        actor=actor,
        params={"body": body, "record": record, "draft": draft_key},
        context={"view_id": view_id, "channel": record.get("channel")},
    )


def with_requirements(intent: Intent, requirements: list[dict[str, Any]], files: dict[str, list[str]]) -> Intent:
    """The intent with what is sent once documents are uploaded (committed by the call)."""
    return intent.model_copy(update={"params": params_with(intent.params, requirements, files)})


def params_with(
    params: dict[str, Any], requirements: list[dict[str, Any]], files: dict[str, list[str]]
) -> dict[str, Any]:
    """`params` with the requirements to send (documents uploaded: their ids) and the files' names."""
    submitted = {**params["record"]["submitted"], "requirements": requirements}
    record = {**params["record"], "files": files, "submitted": submitted}
    return {**params, "requirements": requirements, "record": record}


def _body(params: dict[str, Any]) -> ResourceRequestSubmit:
    body = params["body"]
    requirements = [FilledRequirement(key=item["key"], value=item["value"]) for item in params["requirements"]]
    platform = (
        Platform(application_id=body.get("applicationId"), entity_id=body.get("entityId"))
        if body.get("applicationId") or body.get("entityId")
        else None
    )
    emails = body.get("additionalContactEmails") or None
    if body["kind"] == RequestKind.ALPHANUMERIC_REGISTRATION:
        return AlphaRegistrationSubmit(
            sender_name=body.get("senderName"),
            country_code=body["country"],
            requirements=requirements,
            additional_contact_emails=emails,
            traffic_origin=body.get("trafficOrigin"),
            traffic_type=body.get("trafficType"),
            platform=platform,
        )
    if body["kind"] == RequestKind.RCS_SENDER_LAUNCH:
        return RcsSenderLaunchSubmit(
            sender_name=body.get("senderName"),
            country_code=body["country"],
            traffic_origin=TrafficOrigin(body.get("trafficOrigin") or TrafficOrigin.LOCAL),
            requirements=requirements,
            excluded_carriers=body.get("excludedCarriers") or None,
            additional_contact_emails=emails,
            platform=platform,
        )
    return NumberPurchaseSubmit(
        country_code=body["country"],
        number_type=body.get("numberType"),
        capabilities=list(body.get("capabilities") or []),
        quantity=body.get("quantity"),
        requirements=requirements,
        additional_contact_emails=emails,
        platform=platform,
    )


async def _call(services: Services, intent: Intent) -> Outcome:
    if "requirements" not in intent.params:
        # An approved request whose documents were never uploaded (a restart came between): the
        # files are Slack's, which a use case does not fetch. Nothing is sent.
        return Outcome.refused(not_sent=True)
    await services.store.run(mark_attempted, intent.key, intent.params)
    request_id = intent.request_id or new_request_id()
    try:
        provider_id = await services.infobip.submit_resource_request(_body(intent.params))
    except InfobipUnknownOutcome as error:
        # It may have been created: never sent again (see the module docstring).
        return Outcome(IntentState.UNKNOWN, failed(error), request_id)
    except InfobipError as error:
        return Outcome.refused(**failed(error))
    status, status_at = "PENDING", datetime.now(UTC)
    try:
        created = await services.infobip.get_resource_request(provider_id)
        status = str(created.status or status)
        status_at = created.requested_date or status_at
    except InfobipError:  # the request exists; its first status can come later
        pass
    return Outcome.done(request_id, provider_request_id=provider_id, status=status, status_at=status_at.isoformat())


async def _recover(services: Services, intent: Intent) -> Outcome | None:
    if intent.attempted_at is None:
        return Outcome.refused(not_sent=True)  # cut off before the submit was sent
    request = get_request(services.db, intent.request_id) if intent.request_id else None
    if request is None:  # cut off during the submit: look for it like a lost answer
        return Outcome(IntentState.UNKNOWN, {"cut_off": True}, intent.request_id or new_request_id())
    if request.provider_request_id:
        return Outcome.done(
            request.id,
            provider_request_id=request.provider_request_id,
            status=request.status,
            status_at=request.status_at,
        )
    if request.status == NOT_SUBMITTED:
        return Outcome.refused(not_submitted=True)
    return None  # unconfirmed: settle_unconfirmed decides (jobs/recovery.py)


def _finish(db: sqlite_utils.Database, intent: Intent, outcome: Outcome) -> None:
    record = intent.params["record"]
    waited = get_request(db, intent.request_id or "")
    if waited is not None and waited.status != WAITING_APPROVAL:
        waited = None  # only the row of a request that waited for approval is filled in here
    if outcome.state == IntentState.UNKNOWN:
        attempted_at = datetime.fromisoformat(intent.attempted_at or intent.created_at)
        if waited is not None:
            update_request(
                db, waited.id, status=UNCONFIRMED, status_at=None, submission_attempted_at=attempted_at.isoformat()
            )
            outbox.enqueue_all(db, waited.id, [(outbox.ROOT_UPDATE, None), (outbox.HOME_REFRESH, None)])
        elif get_request(db, outcome.request_id or "") is None:
            record_unconfirmed(db, id=outcome.request_id, attempted_at=attempted_at, **record)
        return
    if outcome.state != IntentState.DONE:
        if waited is not None:  # approved, but not submitted: its thread says so
            update_request(db, waited.id, status=NOT_SUBMITTED)
            outbox.enqueue_all(db, waited.id, [(outbox.ROOT_UPDATE, None), (outbox.HOME_REFRESH, None)])
        return
    delete_draft(db, intent.params["draft"])
    if waited is not None:
        update_request(
            db,
            waited.id,
            provider_request_id=outcome.data["provider_request_id"],
            status=outcome.data["status"],
            status_at=outcome.data["status_at"],
            submitted=record["submitted"],
            files=record.get("files") or {},
        )
        outbox.enqueue_all(db, waited.id, [(outbox.ROOT_UPDATE, None), (outbox.HOME_REFRESH, None)])
    request = get_request(db, outcome.request_id or "")
    if request is None:
        request = create_request(
            db,
            id=outcome.request_id,
            provider_request_id=outcome.data["provider_request_id"],
            status=outcome.data["status"],
            status_at=outcome.data["status_at"],
            **record,
        )
        outbox.enqueue(db, request.id, outbox.THREAD_ROOT)
        outbox.enqueue(db, request.id, outbox.HOME_REFRESH)
    audit_request(
        db,
        intent,
        request,
        {
            "kind": request.kind,
            "country": request.country,
            "senderName": request.sender_name,
            "numberType": request.number_type,
            "quantity": request.quantity,
        },
    )


SUBMIT_REQUEST = UseCase(ACTION, PROVIDER, call=_call, recover=_recover, finish=_finish)
