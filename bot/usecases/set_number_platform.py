"""A number's number-level routing (its application and entity): set once, recorded once.

Reached from my-numbers' "Set application/entity" and from the inbound-routing modal; both are
the same PUT. Recovery reads the number: on the wanted application and entity means done.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlite_utils

from bot.domain.associations import platform_snapshot
from bot.providers.infobip.errors import InfobipError, InfobipUnknownOutcome
from bot.providers.infobip.events import PROVIDER
from bot.providers.infobip.models import NumberUpdate
from bot.store.intents import Intent, IntentState, mark_attempted
from bot.usecases.common import audit, failed, notify
from bot.usecases.runner import Asked, Outcome, UseCase, Wanted

if TYPE_CHECKING:
    from bot.services import Services

ACTION = "routing.number"


Platform = tuple[str | None, str | None]  # (application id, entity id)


def wanted(asked: Asked, *, number_key: str, number: str | None, before: Platform, after: Platform) -> Wanted:
    params = {
        "numberKey": number_key,
        "number": number,
        "before": list(before),
        "applicationId": after[0],
        "entityId": after[1],
    }
    return asked.wants(f"number:{number_key}", params)


def before_after(intent: Intent) -> tuple[Platform, Platform]:
    before = intent.params.get("before") or [None, None]
    return (before[0], before[1]), (intent.params.get("applicationId"), intent.params.get("entityId"))


async def _call(services: Services, intent: Intent) -> Outcome:
    _, after = before_after(intent)
    await services.store.run(mark_attempted, intent.key)
    try:
        updated = await services.infobip.update_owned_number(
            intent.params["numberKey"], NumberUpdate(application_id=after[0], entity_id=after[1])
        )
    except InfobipUnknownOutcome as error:
        return await _recover(services, intent) or Outcome.unknown(**failed(error))
    except InfobipError as error:
        return Outcome.refused(**failed(error))
    # Infobip answers with the number as it is now; an answer without an application keeps ours.
    shown = (updated.application_id or after[0], updated.entity_id if updated.application_id else after[1])
    return Outcome.done(applicationId=shown[0], entityId=shown[1])


async def _recover(services: Services, intent: Intent) -> Outcome | None:
    _, after = before_after(intent)
    try:
        number = await services.infobip.get_owned_number(intent.params["numberKey"])
    except InfobipError:
        return None
    if (number.application_id, number.entity_id) == after:
        return Outcome.done(applicationId=after[0], entityId=after[1])
    return Outcome.refused(unchanged=True)


def now_on(intent: Intent) -> tuple[str | None, str | None]:
    """Where the number is after a done change, as Infobip answered."""
    return intent.outcome.get("applicationId"), intent.outcome.get("entityId")


def _finish(db: sqlite_utils.Database, intent: Intent, outcome: Outcome) -> None:
    if outcome.state != IntentState.DONE:
        return
    before, _ = before_after(intent)
    audit(
        db,
        intent,
        intent.params["numberKey"],
        before=platform_snapshot(*before),
        after=platform_snapshot(*now_on(intent)),
        details={"number": intent.params.get("number")},
    )
    notify(db, intent)


SET_NUMBER_PLATFORM = UseCase(ACTION, PROVIDER, call=_call, recover=_recover, finish=_finish)
