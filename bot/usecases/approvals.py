"""Approvals: a change that needs an approver's decision is stored as waiting instead of being
performed; once approved it is performed exactly once (claimed in the decision's transaction,
then carried out by the runner); denied or expired, nothing reaches the provider.

Recovery (runner.recover_open) carries out an approved intent whose call was never sent, so a
restart between the approval and the provider call still performs it, once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from bot.domain.approvals import ApprovalState, deciders, expires_at
from bot.store import approvals as store
from bot.store.approvals import Created, Decided
from bot.store.intents import Intent
from bot.usecases.runner import UseCase, Wanted, carry_out

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger("bot.usecases.approvals")

# How an approved intent is carried out: the use case's call, or (a request form's documents are
# uploaded first) what the caller passes.
Perform = Callable[["Services", UseCase, Intent], Awaitable[Intent]]


def recipients(
    services: Services, requester: str, notice_channel: str | None, approvers: Collection[str]
) -> list[tuple[str, bool]]:
    """Where the request for a decision goes, with the buttons (the approval channel, else each
    approver but the requester by DM), and where the change is shown as pending (its notice channel)."""
    settings = services.settings
    channel = settings.resourcebot_approval_channel
    asked = [(channel, True)] if channel else [(a, True) for a in deciders(requester, approvers)]
    if notice_channel and notice_channel not in {to for to, _ in asked}:
        asked.append((notice_channel, False))
    return asked


async def request(
    services: Services,
    use_case: UseCase,
    wanted: Wanted,
    *,
    kind: str,
    summary: dict[str, Any],
    approvers: Collection[str],
    request: dict[str, Any] | None = None,
) -> Created:
    """Store `wanted` as waiting for a decision (once per action key, one per target); `approvers`:
    the user ids who may decide (user groups read by the caller); `request`: the fields of the
    request row (id `wanted.request_id`) whose thread starts now, waiting for approval."""
    asked_at = services.clock.now()
    stored = {**asdict(wanted), "provider": wanted.provider or use_case.provider}
    created = await services.store.run(
        store.create,
        key=wanted.key,
        action=use_case.action,
        kind=kind,
        requester=wanted.actor,
        target=wanted.target,
        wanted=stored,
        summary=summary,
        created_at=asked_at,
        expires_at=expires_at(asked_at, services.settings.resourcebot_approval_expires_hours),
        recipients=recipients(services, wanted.actor, wanted.context.get("notice_channel"), approvers),
        request=request,
    )
    if created.first:
        log.info("%s %s by %s waits for approval", use_case.action, wanted.target, wanted.actor)
        services.outbox.wake()
    return created


async def decide(
    services: Services,
    key: str,
    decider: str,
    *,
    approve: bool,
    reason: str | None = None,
    perform: Perform = carry_out,
) -> Decided:
    """The decision of `decider` (whom the caller checked may decide); an approval is then performed
    (by `perform`)."""
    from bot.usecases.registry import USE_CASES  # the registry's use cases import the runner, as this does

    state = ApprovalState.APPROVED if approve else ApprovalState.DENIED
    decided = await services.store.run(
        store.decide, key, decider=decider, state=state, reason=reason, at=services.clock.now()
    )
    if decided.first:
        log.info("approval %s: %s by %s", key, state, decider)
        services.outbox.wake()
        if decided.intent is not None:
            intent = await perform(services, USE_CASES[decided.approval.action], decided.intent)
            decided = Decided(decided.approval, first=True, intent=intent)
    return decided


async def expire(services: Services) -> int:
    """Decide every approval whose time is up as expired; how many there were."""
    expired = await services.store.run(store.expire_due, services.clock.now())
    if expired:
        services.outbox.wake()
    return len(expired)


async def remind(services: Services) -> int:
    """Queue the one reminder of every waiting approval past half its life; how many there were."""
    reminded = await services.store.run(store.remind_due, services.clock.now(), services.settings.resourcebot_approvers)
    if reminded:
        log.info("approvers reminded of %s", ", ".join(a.key for a in reminded))
        services.outbox.wake()
    return len(reminded)
