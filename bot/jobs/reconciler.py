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
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

import sqlite_utils

from bot.domain.events import EventKind, ProviderEvent
from bot.domain.statuses import FINAL_STATUSES
from bot.providers.infobip import InfobipClient
from bot.providers.infobip.events import PROVIDER
from bot.providers.infobip.models import ResourceRequest
from bot.store.events import Outcome, record_events
from bot.store.requests import RequestRecord, get_request, list_requests

log = logging.getLogger("bot.jobs.reconciler")

PAGE_SIZE = 100
MAX_PAGES = 20  # 2,000 requests: beyond that the oldest open ones wait for the next pass


def _open_requests(db: sqlite_utils.Database) -> dict[str, RequestRecord]:
    open_statuses = [r for r in list_requests(db, provider=PROVIDER, limit=None)
                     if r.provider_request_id and r.status not in {str(s) for s in FINAL_STATUSES}]
    return {r.provider_request_id: r for r in open_statuses}  # type: ignore[misc]


def _event(current: RequestRecord, seen: ResourceRequest) -> ProviderEvent:
    replaced_at = (datetime.fromisoformat(current.status_at) if current.status_at
                   else datetime.now(timezone.utc))
    return ProviderEvent(
        provider=PROVIDER, provider_request_id=seen.id, kind=EventKind.STATUS,
        occurred_at=replaced_at + timedelta(milliseconds=1), status=str(seen.status),
        feedback=[f.model_dump(mode="json", exclude_none=True) for f in seen.requirements_feedback or []],
        note=seen.note,
        numbers=[n.model_dump(mode="json", by_alias=True, exclude_none=True) for n in seen.numbers or []],
        source="reconciler",
    )


async def reconcile_once(db: sqlite_utils.Database, infobip: InfobipClient) -> int:
    """One pass; returns how many changes were recorded."""
    waiting = _open_requests(db)
    if not waiting:
        return 0
    known_at = {pid: r.status_at for pid, r in waiting.items()}
    changes = 0
    for page in range(MAX_PAGES):
        listed = await infobip.list_resource_requests(page=page, size=PAGE_SIZE)
        for seen in listed.results:
            current = waiting.pop(seen.id, None)
            if current is None or seen.status is None or str(seen.status) == current.status:
                continue
            fresh = get_request(db, current.id)
            if fresh is None or fresh.status_at != known_at[seen.id]:
                continue  # an event arrived while we were reading: it is newer; next pass decides
            [recorded] = record_events(db, [_event(fresh, seen)])
            if recorded.outcome == Outcome.APPLIED:
                changes += 1
                log.info("request %s: %s → %s (seen by reading it back)", current.id, current.status, seen.status)
        last_page = listed.paging is None or page + 1 >= listed.paging.total_pages
        if not waiting or last_page:
            break
    return changes
