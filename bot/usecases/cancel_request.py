"""Cancelling a request where it lives (Infobip or CM.com): once, shown in its thread once.

Neither provider sends a webhook for a cancellation, so the bot records it itself. Recovery reads
the request back: canceled means it was, anything else means it was not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlite_utils

from bot.providers.cm.client import CmError
from bot.providers.cm.wire import Status as CmStatus
from bot.providers.infobip.errors import InfobipError
from bot.store.events import record_bot_action
from bot.store.intents import Intent, mark_attempted
from bot.store.requests import RequestRecord
from bot.usecases.common import audit_request, failed, request_done
from bot.usecases.runner import Outcome, UseCase, Wanted

if TYPE_CHECKING:
    from bot.services import Services

ACTION = "request.cancel"
CANCELED = {"infobip": "CANCELED", "cm": str(CmStatus.CANCELLED)}
_UNKNOWN = ("InfobipUnknownOutcome", "CmUnknownOutcome")


def wanted(*, key: str, actor: str, request: RequestRecord, channel: str | None) -> Wanted:
    return Wanted(
        key=key,
        target=f"request:{request.id}",
        actor=actor,
        request_id=request.id,
        provider=request.provider,
        params={"provider": request.provider, "providerRequestId": request.provider_request_id},
        context={"channel": channel},
    )


async def _cancel(services: Services, intent: Intent) -> None:
    provider_id = intent.params.get("providerRequestId") or ""
    if intent.params["provider"] == "cm":
        if services.cm is None or not provider_id:
            raise CmError("CM.com has not confirmed this order yet; try again when its first update is in the thread.")
        await services.cm.cancel_number_request(provider_id)
    else:
        await services.infobip.cancel_resource_request(provider_id)


async def _call(services: Services, intent: Intent) -> Outcome:
    await services.store.run(mark_attempted, intent.key)
    try:
        await _cancel(services, intent)
    except (InfobipError, CmError) as error:
        if type(error).__name__ in _UNKNOWN:
            return await _recover(services, intent) or Outcome.unknown(**failed(error))
        return Outcome.refused(**failed(error))
    return Outcome.done(intent.request_id)


async def _status(services: Services, intent: Intent) -> str | None:
    provider_id = intent.params.get("providerRequestId") or ""
    if intent.params["provider"] == "cm":
        return str((await services.cm.get_number_request(provider_id)).status) if services.cm else None
    return str((await services.infobip.get_resource_request(provider_id)).status)


async def _recover(services: Services, intent: Intent) -> Outcome | None:
    if intent.attempted_at is None:
        return Outcome.refused(not_sent=True)
    try:
        status = await _status(services, intent)
    except (InfobipError, CmError):
        return None
    if status is None:
        return None
    if status == CANCELED[intent.params["provider"]]:
        return Outcome.done(intent.request_id)
    return Outcome.refused(still=status)


def _finish(db: sqlite_utils.Database, intent: Intent, outcome: Outcome) -> None:
    request = request_done(db, intent, outcome.state)
    if request is None:
        return
    record_bot_action(db, request, CANCELED[request.provider], "canceled", intent.actor)
    audit_request(db, intent, request)


CANCEL_REQUEST = UseCase(ACTION, "infobip", call=_call, recover=_recover, finish=_finish)
