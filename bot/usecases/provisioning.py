"""The account's set-up at Infobip, each change once: associations, applications, entities and
inbound (keyword) configurations.

These changes share a shape: one call whose parameters the listener has already checked, an
audit entry and a channel notice when it is made, and a read that says whether it is in place.
So one `Change` describes each; `USE_CASES` holds them by action. A change that finds what it
was to make already made (a delete answered 404) counts as done: the state is what was wanted.

The listener writes what the audit entry and the notice say into the intent before the call
(`audit` in the params, `notice_text` in the context): they depend only on what was asked.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlite_utils

from bot.providers.infobip import InfobipClient
from bot.providers.infobip.errors import InfobipError, InfobipNotFound, InfobipUnknownOutcome
from bot.providers.infobip.events import PROVIDER
from bot.providers.infobip.models import (
    Application,
    ApplicationUpdate,
    Entity,
    EntityUpdate,
    InboundConfigurationRequest,
    ResourceAssociationRequest,
)
from bot.store.intents import Intent, IntentState, mark_attempted
from bot.usecases.common import audit, failed, notify
from bot.usecases.runner import Asked, Outcome, UseCase, Wanted

if TYPE_CHECKING:
    from bot.services import Services

Params = dict[str, Any]


@dataclass(frozen=True)
class Change:
    action: str
    apply: Callable[[InfobipClient, Params], Awaitable[dict[str, Any]]]  # the call; what to keep of the answer
    in_place: Callable[[InfobipClient, Params], Awaitable[bool]]  # read back: is it made?
    gone_is_done: bool = False  # a delete: 404 means what was wanted is so


def wanted(
    asked: Asked,
    target: str,
    call: Params,
    audit_entry: dict[str, Any],
    *,
    notice_text: str | None,
    done_text: str | None = None,
) -> Wanted:
    """`call`: the change's own parameters; `audit_entry`: target, before, after, details;
    `done_text`: what its modal says once it is made (a default when None)."""
    return asked.wants(target, {"call": call, "audit": audit_entry}, notice_text=notice_text, done_text=done_text)


def _use_case(change: Change) -> UseCase:
    async def call(services: Services, intent: Intent) -> Outcome:
        await services.store.run(mark_attempted, intent.key)
        try:
            kept = await change.apply(services.infobip, intent.params["call"])
        except InfobipNotFound as error:
            return Outcome.done(already=True) if change.gone_is_done else Outcome.refused(**failed(error))
        except InfobipUnknownOutcome as error:
            return await recover(services, intent) or Outcome.unknown(**failed(error))
        except InfobipError as error:
            return Outcome.refused(**failed(error))
        return Outcome.done(**kept)

    async def recover(services: Services, intent: Intent) -> Outcome | None:
        if intent.attempted_at is None:
            return Outcome.refused(not_sent=True)
        try:
            made = await change.in_place(services.infobip, intent.params["call"])
        except InfobipError:
            return None
        return Outcome.done() if made else Outcome.refused(not_made=True)

    def finish(db: sqlite_utils.Database, intent: Intent, outcome: Outcome) -> None:
        if outcome.state != IntentState.DONE or outcome.data.get("already"):
            return
        entry = intent.params["audit"]
        audit(
            db,
            intent,
            entry["target"],
            before=entry.get("before"),
            after=entry.get("after"),
            details=entry.get("details"),
        )
        if intent.context.get("notice_text"):
            notify(db, intent)

    return UseCase(change.action, PROVIDER, call=call, recover=recover, finish=finish)


# ---- associations ----------------------------------------------------------------------------


def _association(params: Params) -> ResourceAssociationRequest:
    return ResourceAssociationRequest.model_validate(params)


async def _association_exists(infobip: InfobipClient, params: Params) -> bool:
    try:
        await infobip.get_association(
            resource_type=params["resourceType"],
            channel=params["channel"],
            application_id=params["applicationId"],
            entity_id=params.get("entityId"),
            resource_id=params["resourceId"],
        )
    except InfobipNotFound:
        return False
    return True


async def _create_association(infobip: InfobipClient, params: Params) -> dict[str, Any]:
    await infobip.create_association(_association(params))
    return {}


async def _delete_association(infobip: InfobipClient, params: Params) -> dict[str, Any]:
    await infobip.delete_association(_association(params))
    return {}


async def _association_gone(infobip: InfobipClient, params: Params) -> bool:
    return not await _association_exists(infobip, params)


# ---- applications and entities -----------------------------------------------------------------


def _platform_api(infobip: InfobipClient, kind: str) -> tuple[Callable[..., Awaitable[Any]], ...]:
    if kind == "application":
        return (
            infobip.create_application,
            infobip.update_application,
            infobip.delete_application,
            infobip.get_application,
        )
    return infobip.create_entity, infobip.update_entity, infobip.delete_entity, infobip.get_entity


def _platform_changes(kind: str) -> list[Change]:
    name_field = f"{kind}Name"
    model, update_model = (Application, ApplicationUpdate) if kind == "application" else (Entity, EntityUpdate)

    async def get_name(infobip: InfobipClient, params: Params) -> tuple[bool, str | None]:
        try:
            item = await _platform_api(infobip, kind)[3](params["id"])
        except InfobipNotFound:
            return False, None
        return True, getattr(item, f"{kind}_name")

    async def create(infobip: InfobipClient, params: Params) -> dict[str, Any]:
        await _platform_api(infobip, kind)[0](
            model.model_validate({f"{kind}Id": params["id"], name_field: params.get("name")})
        )
        return {}

    async def rename(infobip: InfobipClient, params: Params) -> dict[str, Any]:
        await _platform_api(infobip, kind)[1](
            params["id"], update_model.model_validate({name_field: params.get("name")})
        )
        return {}

    async def delete(infobip: InfobipClient, params: Params) -> dict[str, Any]:
        await _platform_api(infobip, kind)[2](params["id"])
        return {}

    async def exists(infobip: InfobipClient, params: Params) -> bool:
        return (await get_name(infobip, params))[0]

    async def named(infobip: InfobipClient, params: Params) -> bool:
        found, name = await get_name(infobip, params)
        return found and name == params.get("name")

    async def gone(infobip: InfobipClient, params: Params) -> bool:
        return not (await get_name(infobip, params))[0]

    return [
        Change(f"{kind}.create", create, exists),
        Change(f"{kind}.rename", rename, named),
        Change(f"{kind}.delete", delete, gone, gone_is_done=True),
    ]


# ---- inbound (keyword) configurations -----------------------------------------------------------


async def _save_configuration(infobip: InfobipClient, params: Params) -> dict[str, Any]:
    saved = await infobip.manage_inbound_configuration(InboundConfigurationRequest.model_validate(params))
    return {"configurationKey": saved.configuration_key}


def _same_keyword(a: str | None, b: str | None) -> bool:
    return (a or "").strip().upper() == (b or "").strip().upper()


async def _configuration_saved(infobip: InfobipClient, params: Params) -> bool:
    found = await infobip.get_inbound_configurations(params["channel"], number_key=params.get("numberKey"))
    platform = params.get("platform") or {}
    for config in found:
        if params.get("configurationKey") and config.configuration_key != params["configurationKey"]:
            continue
        if not _same_keyword(config.keyword, params.get("keyword")):
            continue
        now = config.platform.model_dump(by_alias=True, exclude_none=True) if config.platform else {}
        return {k: v for k, v in now.items() if k in ("applicationId", "entityId")} == platform
    return False


async def _delete_configuration(infobip: InfobipClient, params: Params) -> dict[str, Any]:
    await infobip.delete_inbound_configuration(params["configurationKey"])
    return {}


async def _configuration_gone(infobip: InfobipClient, params: Params) -> bool:
    found = await infobip.get_inbound_configurations(params["channel"], number_key=params.get("numberKey"))
    return all(config.configuration_key != params["configurationKey"] for config in found)


CHANGES: list[Change] = [
    Change("association.create", _create_association, _association_exists),
    Change("association.delete", _delete_association, _association_gone, gone_is_done=True),
    *_platform_changes("application"),
    *_platform_changes("entity"),
    Change("routing.keyword.create", _save_configuration, _configuration_saved),
    Change("routing.keyword.update", _save_configuration, _configuration_saved),
    Change("routing.keyword.delete", _delete_configuration, _configuration_gone, gone_is_done=True),
]
USE_CASES: dict[str, UseCase] = {change.action: _use_case(change) for change in CHANGES}
