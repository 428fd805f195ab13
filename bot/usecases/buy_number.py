"""Buying a number on offer: once, whatever the clicks, replays and crashes.

Recovery reads the account's number by its key: owned means bought (it was on offer to anyone,
so nobody else's purchase makes it the account's), not owned means nothing was bought.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlite_utils

from bot.domain.numbers import Offer, charged_at_purchase, international, price_details
from bot.providers.infobip.errors import InfobipError, InfobipNotFound, InfobipUnknownOutcome
from bot.providers.infobip.events import PROVIDER
from bot.providers.infobip.models import Number, NumberPurchase
from bot.store.intents import Intent, IntentState, mark_attempted
from bot.usecases.common import audit, failed, notify
from bot.usecases.runner import Asked, Outcome, UseCase, Wanted

if TYPE_CHECKING:
    from bot.services import Services

ACTION = "number.purchase"


def wanted(asked: Asked, *, offer: Offer, application_id: str | None, entity_id: str | None) -> Wanted:
    params = {"offer": offer.model_dump(mode="json"), "applicationId": application_id, "entityId": entity_id}
    return asked.wants(f"number:{offer.number_key}", params)


def offer_of(intent: Intent) -> Offer:
    return Offer.model_validate(intent.params["offer"])


def bought_number(intent: Intent) -> Number | None:
    """The number as Infobip answered the purchase (done outcomes)."""
    number = intent.outcome.get("number")
    return Number.model_validate(number) if number else None


async def _owned(services: Services, offer: Offer) -> Number | None:
    """The number when the account owns it; None when it does not. Raises when it can't be read."""
    try:
        return await services.infobip.get_owned_number(offer.number_key)
    except InfobipNotFound:
        return None


def _done(number: Number) -> Outcome:
    return Outcome.done(number=number.model_dump(mode="json", by_alias=True, exclude_none=True))


async def _call(services: Services, intent: Intent) -> Outcome:
    offer = offer_of(intent)
    await services.store.run(mark_attempted, intent.key)
    try:
        bought = await services.infobip.purchase_number(
            NumberPurchase(
                **offer.purchase_fields(),
                application_id=intent.params.get("applicationId"),
                entity_id=intent.params.get("entityId"),
            )
        )
    except InfobipUnknownOutcome as error:
        # Never sent again: a second purchase could buy twice. Reading it back is safe.
        try:
            owned = await _owned(services, offer)
        except InfobipError:
            owned = None
        return _done(owned) if owned is not None else Outcome.unknown(**failed(error))
    except InfobipError as error:
        return Outcome.refused(**failed(error))
    return _done(bought)


async def _recover(services: Services, intent: Intent) -> Outcome | None:
    try:
        owned = await _owned(services, offer_of(intent))
    except InfobipError:
        return None  # can't tell yet: next pass
    if owned is None:
        return Outcome.refused(not_bought=True)
    return _done(owned)


def _finish(db: sqlite_utils.Database, intent: Intent, outcome: Outcome) -> None:
    if outcome.state != IntentState.DONE:
        return
    offer = offer_of(intent)
    bought = bought_number(intent) or Number()
    details = {
        "numberKey": bought.number_key or offer.number_key,
        "country": offer.country,
        "type": bought.type or offer.type,
        "price": price_details(bought.price or offer.price),
        "applicationId": bought.application_id or intent.params.get("applicationId"),
        "entityId": bought.entity_id or intent.params.get("entityId"),
    }
    # What it charged at once, for the spend report: Infobip's answer has no first-month price (only
    # the offer the person confirmed has it), so it is recorded here, with the purchase.
    charged, currency = charged_at_purchase(offer.price, bought.price)
    if charged is not None:
        details["charged"] = {"amount": float(charged), "currency": currency}
    audit(
        db,
        intent,
        international(bought.number or offer.number, bought.type or offer.type),
        details=details,
        after={"applicationId": bought.application_id, "entityId": bought.entity_id},
    )
    notify(db, intent)


BUY_NUMBER = UseCase(ACTION, PROVIDER, call=_call, recover=_recover, finish=_finish)
