"""Performing a change at a provider exactly once: intent → call → outcome, and recovery.

Every use case (one module each in this package) is three functions over one stored intent:

- `call`: make the provider call and say what came of it (done, refused, or unknown);
- `finish`: inside the transaction that records the outcome, write what reports it: the audit
  entry, the request records, the Slack messages (outbox rows). A crash leaves all or none;
- `recover`: for an intent left open (a crash, a lost answer), read the provider to learn what
  really happened; None while it cannot tell yet.

`perform` claims the intent (committed before the call), calls, and commits the outcome. A second
claim of the same key is answered with the first one's intent; a claim on a target another intent
holds is answered "busy" with that one. `recover_open` settles what was left open, tells the person
by DM (through the outbox, so exactly once) and hands each settled intent back, so that the caller
can update the person's modal if it is still open.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NotRequired, TypedDict, Unpack

import sqlite_utils

from bot.store import outbox
from bot.store.db import write
from bot.store.intents import Claim, Intent, IntentState, adopt_unsent, claim, get_intent, open_intents, settle
from bot.usecases.common import intent_lane

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger("bot.usecases")


@dataclass(frozen=True)
class Outcome:
    state: IntentState
    data: dict[str, Any] = field(default_factory=dict)  # JSON: what the provider said, what to show
    request_id: str | None = None  # the bot's request it made or concerns

    @classmethod
    def done(cls, request_id: str | None = None, **data: Any) -> Outcome:
        return cls(IntentState.DONE, data, request_id)

    @classmethod
    def refused(cls, **data: Any) -> Outcome:
        return cls(IntentState.REFUSED, data)

    @classmethod
    def unknown(cls, **data: Any) -> Outcome:
        return cls(IntentState.UNKNOWN, data)


Call = Callable[["Services", Intent], Awaitable[Outcome]]
Finish = Callable[[sqlite_utils.Database, Intent, Outcome], None]
Recover = Callable[["Services", Intent], Awaitable["Outcome | None"]]


def _nothing_more(db: sqlite_utils.Database, intent: Intent, outcome: Outcome) -> None:
    return None


@dataclass(frozen=True)
class UseCase:
    action: str  # e.g. number.purchase: the intent's action and the audit entry's
    provider: str
    call: Call
    recover: Recover
    finish: Finish = _nothing_more

    def __reduce__(self) -> tuple[Callable[[str], UseCase], tuple[str]]:
        # Sent to the store's process by its action (bot/store/process.py): some are built by a
        # factory, their functions closures that pickle cannot carry.
        return _use_case_for, (self.action,)


def _use_case_for(action: str) -> UseCase:
    from bot.usecases.registry import USE_CASES  # the registry imports this module

    return USE_CASES[action]


@dataclass(frozen=True)
class Wanted:
    """What a person asked for, before anything is sent."""

    key: str  # the idempotency key of their one action
    target: str  # what it acts on (one open intent per target)
    actor: str
    params: dict[str, Any]  # what the call needs, JSON
    context: dict[str, Any] = field(default_factory=dict)  # where to report: view_id, channel, ...
    request_id: str | None = None
    provider: str | None = None  # when the use case serves several providers (cancel a request)


@dataclass(frozen=True)
class Asked:
    """Who asked for a change to a number or to the account's set-up, by which one action, and where
    its outcome is shown: the modal it was asked in, and the channel its notice goes to."""

    key: str  # the idempotency key of their one action
    actor: str
    view_id: str | None = None
    notice_channel: str | None = None

    def wants(self, target: str, params: dict[str, Any], **context: Any) -> Wanted:
        """The change on `target` with `params`; `context`: what else its messages need."""
        where = {"view_id": self.view_id, "notice_channel": self.notice_channel}
        return Wanted(key=self.key, target=target, actor=self.actor, params=params, context={**where, **context})


@dataclass(frozen=True)
class Performed:
    intent: Intent
    first: bool  # this caller performed it; False: a repeat of `intent`, or busy
    busy: bool = False  # another action on the same target is under way (`intent` is that one)


# A claim is made before Slack is answered: it waits this long for the database at the most
# (StoreBusy after that: the listener asks the person to try again; nothing was claimed).
CLAIM_BUDGET_SECONDS = 1.5


async def claim_intent(services: Services, use_case: UseCase, wanted: Wanted) -> Claim:
    return await services.store.run(_claim, use_case, wanted, budget=CLAIM_BUDGET_SECONDS)


def _claim(db: sqlite_utils.Database, use_case: UseCase, wanted: Wanted) -> Claim:
    with write(db):
        return claim(
            db,
            key=wanted.key,
            action=use_case.action,
            target=wanted.target,
            actor=wanted.actor,
            provider=wanted.provider or use_case.provider,
            params=wanted.params,
            context=wanted.context,
            request_id=wanted.request_id,
        )


async def perform(services: Services, use_case: UseCase, wanted: Wanted) -> Performed:
    """Claim, call, commit the outcome. Never raises for what the provider says."""
    claimed = await claim_intent(services, use_case, wanted)
    if not claimed.claimed:
        return Performed(claimed.intent, first=False, busy=claimed.busy)
    return Performed(await carry_out(services, use_case, claimed.intent), first=True)


async def carry_out(services: Services, use_case: UseCase, intent: Intent) -> Intent:
    """The call of a claimed intent, and its outcome committed (see `perform`)."""
    try:
        outcome = await use_case.call(services, intent)
    except Exception as error:  # noqa: BLE001 - a bug must not leave the person without an answer
        log.exception("%s %s failed unexpectedly; recovery will read the provider", use_case.action, intent.key)
        outcome = Outcome.unknown(error=type(error).__name__)
    settled = await settle_outcome(services, use_case, intent, outcome, resolved_by="call")
    services.outbox.wake()
    return settled


class Settling(TypedDict):
    """`commit_outcome`'s keywords: what settled the intent ("call", "recovery", …), and whether
    its actor hears by DM even when nobody approved the change."""

    resolved_by: str
    tell_actor: NotRequired[bool]


async def settle_outcome(
    services: Services, use_case: UseCase, intent: Intent, outcome: Outcome, **settling: Unpack[Settling]
) -> Intent:
    """`commit_outcome` on the store's thread."""
    return await services.store.run(commit_outcome, use_case, intent, outcome, **settling)


def commit_outcome(
    db: sqlite_utils.Database,
    use_case: UseCase,
    intent: Intent,
    outcome: Outcome,
    *,
    resolved_by: str,
    tell_actor: bool = False,
) -> Intent:
    """The outcome, and what reports it, in one transaction; the intent as it is afterwards.
    When it was settled meanwhile (a recovery pass raced the call), that first outcome stands."""
    with write(db):
        settled = settle(
            db, intent.key, outcome.state, outcome.data, resolved_by=resolved_by, request_id=outcome.request_id
        )
        if settled is None:
            return get_intent(db, intent.key)  # type: ignore[return-value]
        use_case.finish(db, settled, outcome)
        # An approved change was asked for long before: its actor hears how it ended by DM, too.
        if (tell_actor or settled.context.get("approved_by")) and outcome.state != IntentState.UNKNOWN:
            outbox.enqueue(db, intent_lane(settled), outbox.INTENT_DM, {"intent": settled.key})
    log.info("%s %s by %s: %s (%s)", use_case.action, intent.target, intent.actor, outcome.state, resolved_by)
    return settled


async def wait_settled(services: Services, key: str, timeout: float, interval: float = 0.1) -> Intent | None:
    """The intent once it has an outcome (done, refused or unknown), or None after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        intent = get_intent(services.db, key)
        if intent is not None and intent.state != IntentState.INTENDED:
            return intent
        if time.monotonic() >= deadline:
            return None
        await asyncio.sleep(interval)


def _approved_unsent(intent: Intent) -> bool:
    return (
        intent.state == IntentState.INTENDED and intent.attempted_at is None and bool(intent.context.get("approved_by"))
    )


def _adopt(db: sqlite_utils.Database, key: str) -> bool:
    with write(db):
        return adopt_unsent(db, key)


async def recover_open(services: Services, use_cases: Mapping[str, UseCase]) -> list[Intent]:
    """Settle the intents left open: each cut off by a crash (another boot's), or unknown after a
    lost answer. Returns those whose outcome changed now: settled (their actors are told by DM),
    or found cut off and still being looked into (unknown)."""
    changed: list[Intent] = []
    for intent in open_intents(services.db):
        if intent.state == IntentState.INTENDED and not intent.cut_off:
            continue  # being performed by this process right now
        use_case = use_cases.get(intent.action)
        if use_case is None:
            log.error("open intent %s has an action this bot does not know (%s): left open", intent.key, intent.action)
            continue
        if _approved_unsent(intent) and await services.store.run(_adopt, intent.key):
            # Approved, then cut off before the call was sent: nobody is waiting on a modal for it, and
            # the approval stands, so it is performed now rather than taken as never made.
            log.info("%s %s was approved and never sent: performing it now", intent.action, intent.key)
            changed.append(await carry_out(services, use_case, intent))
            continue
        try:
            outcome = await use_case.recover(services, intent)
        except Exception:  # noqa: BLE001 - one intent that cannot be read must not stop the others
            log.exception("recovering %s %s failed; trying again next pass", intent.action, intent.key)
            continue
        if outcome is None:
            if intent.state == IntentState.INTENDED:  # cut off: say so, and keep looking
                changed.append(
                    await settle_outcome(
                        services, use_case, intent, Outcome.unknown(cut_off=True), resolved_by="recovery"
                    )
                )
            continue
        changed.append(
            await settle_outcome(services, use_case, intent, outcome, resolved_by="recovery", tell_actor=True)
        )
    if changed:
        services.outbox.wake()
    return changed
