"""Comparing open requests with Infobip, for what its webhooks don't say.

Infobip notifies only UPDATE_REQUESTED*, REJECTED and COMPLETED; the steps in between
(AUTOMATIC_VALIDATION, PENDING_REVIEW, IN_REVIEW, IN_PROGRESS) are seen only by reading the
requests, and a webhook sent while the bot was down (or could not be reached, behind a firewall
in Socket Mode) is seen only that way too. The reconciler lists the account's requests, most
recently changed first, a page at a time within the read rate limit, until it has seen every
request the bot still considers open, and records each difference like a webhook.

A list answer carries no time of change. A status read that way is recorded one millisecond
after the status it replaces, and only if no event arrived for that request while the list was
being read: a webhook racing the read is newer and must not be overwritten by it.

Each pass first settles submissions whose answer was lost (domain/submissions.py): one list
call, newest requested first, finds the request each one created, which is then linked and its
thread posted; one still not found after GIVE_UP_AFTER is marked NOT_SUBMITTED and its
requester told. Nothing is ever submitted again from here.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import sqlite_utils

from bot.domain.events import EventKind, ProviderEvent
from bot.domain.statuses import FINAL_STATUSES
from bot.domain.submissions import GIVE_UP_AFTER, given_up, match_attempts
from bot.providers.infobip import InfobipClient
from bot.providers.infobip.events import PROVIDER
from bot.providers.infobip.models import ResourceRequest
from bot.store.db import write
from bot.store.events import Outcome, record_events
from bot.store.intents import Intent, open_for_request
from bot.store.requests import RequestRecord, get_request, list_requests
from bot.store.submissions import as_attempt, link_submission, linked_ids, mark_not_submitted, unconfirmed
from bot.store.worker import Store
from bot.usecases import runner
from bot.usecases.submit_request import SUBMIT_REQUEST

log = logging.getLogger("bot.jobs.reconciler")

PAGE_SIZE = 100
MAX_PAGES = 20  # 2,000 requests: beyond that the oldest open ones wait for the next pass


def _open_requests(db: sqlite_utils.Database) -> dict[str, RequestRecord]:
    open_statuses = [
        r
        for r in list_requests(db, provider=PROVIDER, limit=None)
        if r.provider_request_id and r.status not in {str(s) for s in FINAL_STATUSES}
    ]
    return {r.provider_request_id: r for r in open_statuses}  # type: ignore[misc]


def _event(current: RequestRecord, seen: ResourceRequest) -> ProviderEvent:
    replaced_at = datetime.fromisoformat(current.status_at) if current.status_at else datetime.now(UTC)
    return ProviderEvent(
        provider=PROVIDER,
        provider_request_id=seen.id,
        kind=EventKind.STATUS,
        occurred_at=replaced_at + timedelta(milliseconds=1),
        status=str(seen.status),
        feedback=[f.model_dump(mode="json", exclude_none=True) for f in seen.requirements_feedback or []],
        note=seen.note,
        numbers=[n.model_dump(mode="json", by_alias=True, exclude_none=True) for n in seen.numbers or []],
        source="reconciler",
    )


async def settle_unconfirmed(
    db: sqlite_utils.Database,
    store: Store,
    infobip: InfobipClient,
    now: datetime,
    give_up_after: timedelta = GIVE_UP_AFTER,
) -> list[Intent]:
    """Link each unconfirmed submission to the request it created, or give it up; returns the
    submission intents this settled (their requesters are told: the thread, or a DM). Reads on
    `db`, writes on the `store`'s thread."""
    pending = [as_attempt(r) for r in unconfirmed(db, PROVIDER)]
    if not pending:
        return []
    listed = await infobip.list_resource_requests(sort=["requestedDate,desc"], page=0, size=PAGE_SIZE)
    found = match_attempts(pending, listed.results, linked_ids(db, PROVIDER, (r.id for r in listed.results)))
    settled: list[Intent] = []
    for attempt in pending:
        seen = found.get(attempt.request_id)
        if seen is not None:
            request = await store.run(
                link_submission, attempt.request_id, seen.id, str(seen.status or "PENDING"), seen.requested_date or now
            )
            if request is not None:
                log.info(
                    "request %s: the submission whose answer was lost is Infobip %s (%s)",
                    attempt.request_id,
                    seen.id,
                    seen.status,
                )
                settled += await store.run(
                    _settle_intent,
                    request.id,
                    runner.Outcome.done(
                        request.id, provider_request_id=seen.id, status=request.status, status_at=request.status_at
                    ),
                )
        elif given_up(attempt, now, give_up_after):
            if await store.run(mark_not_submitted, attempt.request_id):
                log.warning(
                    "request %s: no request at Infobip %s after the submission whose answer was lost: "
                    "marked not submitted",
                    attempt.request_id,
                    give_up_after,
                )
                settled += await store.run(
                    _settle_intent, attempt.request_id, runner.Outcome.refused(not_submitted=True)
                )
    return settled


def _settle_intent(db: sqlite_utils.Database, request_id: str, outcome: runner.Outcome) -> list[Intent]:
    """The submission's intent settled as its request now is (older requests may have none)."""
    intent = open_for_request(db, request_id, SUBMIT_REQUEST.action)
    if intent is None:
        return []
    return [runner.commit_outcome(db, SUBMIT_REQUEST, intent, outcome, resolved_by="recovery", tell_actor=True)]


def _record_if_unchanged(
    db: sqlite_utils.Database, request_id: str, known_at: str | None, seen: ResourceRequest
) -> bool:
    """Record what the list showed, unless an event arrived for the request while it was read
    (that one is newer; the next pass decides). True when it became the shown status."""
    with write(db):
        fresh = get_request(db, request_id)
        if fresh is None or fresh.status_at != known_at:
            return False
        [recorded] = record_events(db, [_event(fresh, seen)])
        return recorded.outcome == Outcome.APPLIED


async def reconcile_once(
    db: sqlite_utils.Database,
    store: Store,
    infobip: InfobipClient,
    now: datetime | None = None,
    give_up_after: timedelta = GIVE_UP_AFTER,
) -> int:
    """One pass; returns how many changes were recorded. `now`: the bot's clock."""
    changes = len(await settle_unconfirmed(db, store, infobip, now or datetime.now(UTC), give_up_after))
    waiting = _open_requests(db)
    if not waiting:
        return changes
    known_at = {pid: r.status_at for pid, r in waiting.items()}
    for page in range(MAX_PAGES):
        listed = await infobip.list_resource_requests(page=page, size=PAGE_SIZE)
        for seen in listed.results:
            current = waiting.pop(seen.id, None)
            if current is None or seen.status is None or str(seen.status) == current.status:
                continue
            if await store.run(_record_if_unchanged, current.id, known_at[seen.id], seen):
                changes += 1
                log.info("request %s: %s → %s (seen by reading it back)", current.id, current.status, seen.status)
        last_page = listed.paging is None or page + 1 >= listed.paging.total_pages
        if not waiting or last_page:
            break
    return changes
