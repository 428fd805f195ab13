"""Sending a request's update (all its requirements again) to Infobip: once, shown in its thread once.

Recovery reads the request back: moved past the update statuses carrying the requirements sent
means the update was applied; still waiting for an update means it never arrived, and the
requester is told to send it again.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import sqlite_utils

from bot.domain.statuses import EDITABLE_STATUSES
from bot.providers.infobip.errors import InfobipError, InfobipUnknownOutcome
from bot.providers.infobip.events import PROVIDER
from bot.providers.infobip.models import FilledRequirement
from bot.store.drafts import delete_draft
from bot.store.events import record_bot_action
from bot.store.intents import Intent, mark_attempted
from bot.store.requests import RequestRecord, update_request
from bot.usecases.common import audit_request, failed, request_done
from bot.usecases.runner import Outcome, UseCase, Wanted

if TYPE_CHECKING:
    from bot.services import Services

ACTION = "request.update"


def wanted(*, key: str, actor: str, request: RequestRecord, draft_key: str, view_id: str | None) -> Wanted:
    return Wanted(
        key=key,
        target=f"request:{request.id}",
        actor=actor,
        request_id=request.id,
        params={"providerRequestId": request.provider_request_id, "draft": draft_key},
        context={"view_id": view_id, "channel": request.channel},
    )


def with_requirements(intent: Intent, requirements: list[dict[str, Any]], files: dict[str, list[str]]) -> Intent:
    return intent.model_copy(update={"params": {**intent.params, "requirements": requirements, "files": files}})


def _sent(requirements: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(item["key"], json.dumps(item["value"], sort_keys=True)) for item in requirements}


async def _call(services: Services, intent: Intent) -> Outcome:
    await services.store.run(mark_attempted, intent.key, intent.params)
    try:
        updated = await services.infobip.update_resource_request(
            intent.params["providerRequestId"],
            [FilledRequirement(key=item["key"], value=item["value"]) for item in intent.params["requirements"]],
        )
    except InfobipUnknownOutcome as error:
        return await _recover(services, intent) or Outcome.unknown(**failed(error))
    except InfobipError as error:
        return Outcome.refused(**failed(error))
    return Outcome.done(intent.request_id, status=str(updated.status or "AUTOMATIC_VALIDATION"))


async def _recover(services: Services, intent: Intent) -> Outcome | None:
    if intent.attempted_at is None:
        return Outcome.refused(not_sent=True)
    try:
        current = await services.infobip.get_resource_request(intent.params["providerRequestId"])
    except InfobipError:
        return None
    # An update moves the request out of the update statuses, carrying what was sent; a request
    # still waiting for one never got it (even when what was sent equals what it holds).
    now = [item.model_dump(mode="json") for item in current.requirements or []]
    waiting = str(current.status) in {str(s) for s in EDITABLE_STATUSES}
    if not waiting and _sent(intent.params["requirements"]) <= _sent(now):
        return Outcome.done(intent.request_id, status=str(current.status or "AUTOMATIC_VALIDATION"))
    return Outcome.refused(not_applied=True)


def _finish(db: sqlite_utils.Database, intent: Intent, outcome: Outcome) -> None:
    request = request_done(db, intent, outcome.state)
    if request is None:
        return
    delete_draft(db, intent.params["draft"])
    requirements = intent.params["requirements"]
    request = update_request(
        db,
        request.id,
        submitted={**request.submitted, "requirements": requirements},
        files={**request.files, **intent.params.get("files", {})},
    )
    record_bot_action(db, request, outcome.data["status"], "updated", intent.actor)
    audit_request(db, intent, request, {"requirements": [item["key"] for item in requirements]})


UPDATE_REQUEST = UseCase(ACTION, PROVIDER, call=_call, recover=_recover, finish=_finish)
