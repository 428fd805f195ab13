"""Cancelling one of the account's numbers: once, and recorded once.

Recovery reads the number: no longer owned means it was cancelled, still owned means not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlite_utils

from bot.domain.numbers import OwnedNumber
from bot.providers.infobip.errors import InfobipError, InfobipNotFound, InfobipUnknownOutcome
from bot.providers.infobip.events import PROVIDER
from bot.store.intents import Intent, IntentState, mark_attempted
from bot.usecases.common import audit, failed, notify
from bot.usecases.runner import Asked, Outcome, UseCase, Wanted

if TYPE_CHECKING:
    from bot.services import Services

ACTION = "number.cancel"


def wanted(asked: Asked, *, number: OwnedNumber) -> Wanted:
    # The number alone: the list a modal shows around it is the modal's business.
    params = {"number": number.model_dump(mode="json", include=set(OwnedNumber.model_fields))}
    return asked.wants(f"number:{number.number_key}", params)


def owned_of(intent: Intent) -> OwnedNumber:
    return OwnedNumber.model_validate(intent.params["number"])


async def _call(services: Services, intent: Intent) -> Outcome:
    await services.store.run(mark_attempted, intent.key)
    try:
        await services.infobip.cancel_number(owned_of(intent).number_key)
    except InfobipUnknownOutcome as error:
        return await _recover(services, intent) or Outcome.unknown(**failed(error))
    except InfobipError as error:
        return Outcome.refused(**failed(error))
    return Outcome.done()


async def _recover(services: Services, intent: Intent) -> Outcome | None:
    try:
        await services.infobip.get_owned_number(owned_of(intent).number_key)
    except InfobipNotFound:
        return Outcome.done()
    except InfobipError:
        return None
    return Outcome.refused(still_owned=True)


def _finish(db: sqlite_utils.Database, intent: Intent, outcome: Outcome) -> None:
    if outcome.state != IntentState.DONE:
        return
    context = owned_of(intent)
    price = (
        {"pricePerMonth": context.per_month, "currency": context.currency} if context.per_month is not None else None
    )
    audit(
        db,
        intent,
        context.target,
        details={"numberKey": context.number_key, "price": price, **context.platform()},
        before=context.platform(),
    )
    notify(db, intent)


CANCEL_NUMBER = UseCase(ACTION, PROVIDER, call=_call, recover=_recover, finish=_finish)
