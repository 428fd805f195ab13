"""Ordering voice numbers from CM.com: once, its thread posted once.

The request row (with the unguessable token of its callback URL) is committed before CM.com is
asked, since its first callback may arrive before its answer. CM.com has no list to look an order
up in: an order whose answer was lost (or cut off by a crash) gets its thread with a note, and
is done once CM.com's callback has told its id.

An order that needed an approval has had its request row and thread since it waited
(bot/store/approvals.py, status WAITING_APPROVAL): approved, the row becomes the order's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlite_utils

from bot.domain.approvals import WAITING_APPROVAL
from bot.domain.submissions import NOT_SUBMITTED
from bot.providers.cm.client import CmError, CmUnknownOutcome
from bot.providers.cm.models import CmNumberRequestCreate
from bot.providers.cm.wire import Status as CmStatus
from bot.store import outbox
from bot.store.db import write
from bot.store.intents import Intent, IntentState, mark_attempted
from bot.store.requests import create_request, delete_request, get_request, new_request_id, update_request
from bot.usecases.common import audit, failed
from bot.usecases.runner import Outcome, UseCase, Wanted

if TYPE_CHECKING:
    from bot.services import Services

ACTION = "cm.order"
PROVIDER = "cm"
UNCONFIRMED_NOTE = "CM.com did not confirm this order in time; its callback will tell whether it went through."


def wanted(
    *, key: str, actor: str, body: dict[str, Any], record: dict[str, Any], callback_token: str, view_id: str | None
) -> Wanted:
    """`body`: CM.com's create body (field names) but the callback URL; `record`: the request row's fields."""
    return Wanted(
        key=key,
        target=key,
        actor=actor,
        request_id=new_request_id(),
        params={"body": body, "record": record, "callbackToken": callback_token},
        context={"view_id": view_id, "channel": record.get("channel")},
    )


def _record_first(db: sqlite_utils.Database, intent: Intent, now: str) -> None:
    """The request row, before CM.com is asked: its callback must find it."""
    with write(db):
        request = get_request(db, intent.request_id or "")
        if request is None:
            create_request(
                db,
                id=intent.request_id,
                callback_token=intent.params["callbackToken"],
                status=str(CmStatus.PENDING),
                status_at=now,
                **intent.params["record"],
            )
        elif request.status == WAITING_APPROVAL:  # approved: it is being ordered now
            update_request(db, request.id, status=str(CmStatus.PENDING), status_at=now)
            outbox.enqueue(db, request.id, outbox.ROOT_UPDATE)
        mark_attempted(db, intent.key)


async def _call(services: Services, intent: Intent) -> Outcome:
    token = intent.params["callbackToken"]
    await services.store.run(_record_first, intent, services.clock.now().isoformat())
    body = CmNumberRequestCreate(**intent.params["body"], callback_url=f"{services.public_url}/webhooks/cm/{token}")
    if services.cm is None:
        return Outcome.refused(**failed(CmError("CM.com is not configured.")))
    try:
        created = await services.cm.create_number_request(body)
    except CmUnknownOutcome as error:
        return Outcome(IntentState.UNKNOWN, failed(error), intent.request_id)
    except CmError as error:
        return Outcome.refused(**failed(error))
    return Outcome.done(
        intent.request_id, id=created.id, status=created.status or str(CmStatus.PENDING), numbers=list(created.numbers)
    )


async def _recover(services: Services, intent: Intent) -> Outcome | None:
    request = get_request(services.db, intent.request_id or "")
    if intent.attempted_at is None or request is None:
        return Outcome.refused(not_sent=True)
    if request.provider_request_id:
        return Outcome.done(request.id, id=request.provider_request_id, status=request.status, numbers=[])
    if intent.state == IntentState.INTENDED:
        return Outcome(IntentState.UNKNOWN, {"cut_off": True}, request.id)
    return None  # its callback will tell


def _start_thread(db: sqlite_utils.Database, request_id: str) -> None:
    """Once per request: its thread root (and Home) queued, unless they already are."""
    if outbox.has_item(db, request_id, outbox.THREAD_ROOT):
        return
    outbox.enqueue(db, request_id, outbox.THREAD_ROOT)
    outbox.enqueue(db, request_id, outbox.HOME_REFRESH)


def _finish(db: sqlite_utils.Database, intent: Intent, outcome: Outcome) -> None:
    request = get_request(db, intent.request_id or "")
    if request is None:
        return
    if outcome.state == IntentState.REFUSED:
        if outbox.has_item(db, request.id, outbox.THREAD_ROOT):  # it waited for approval: its thread says so
            update_request(db, request.id, status=NOT_SUBMITTED)
            outbox.enqueue_all(db, request.id, [(outbox.ROOT_UPDATE, None), (outbox.HOME_REFRESH, None)])
        else:
            delete_request(db, request.id)  # nothing was ordered: nothing refers to it yet
        return
    if outcome.state == IntentState.UNKNOWN:
        update_request(db, request.id, note=UNCONFIRMED_NOTE)
        _start_thread(db, request.id)
        return
    data = outcome.data
    if request.provider_request_id is None and request.status == str(CmStatus.PENDING):  # no callback got here first
        update_request(
            db,
            request.id,
            status=data.get("status") or str(CmStatus.PENDING),
            numbers=[{"number": n} for n in data.get("numbers") or []] or None,
            **({"provider_request_id": data["id"]} if data.get("id") else {}),
        )
        if intent.context.get("approval"):  # its thread was started while it waited
            outbox.enqueue(db, request.id, outbox.ROOT_UPDATE)
    _start_thread(db, request.id)
    audit(
        db,
        intent,
        request.id,
        details={"quantity": request.quantity, "country": request.country, "type": request.number_type},
    )


ORDER_CM_NUMBERS = UseCase(ACTION, PROVIDER, call=_call, recover=_recover, finish=_finish)
