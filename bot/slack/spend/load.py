"""The spend report's facts, read: every owned number (all pages), the numbers' associations, the
inbound configurations of the numbers that may be unused, and the bot's own records of purchases,
cancellations and number requests. Then the domain adds it up (bot/domain/spend.py).

Reads only: nothing here changes anything at Infobip. The last report is kept for the Home tabs
(`SpendCache`), so that re-publishing a Home (a status change, a filter) never waits for Infobip.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlite_utils

from bot.domain.approvals import PURCHASE
from bot.domain.numbers import Offer, due_at_purchase
from bot.domain.spend import (
    Bought,
    ChangeKind,
    NumberChange,
    PendingCost,
    SpendSummary,
    change_from_audit,
    in_use_reasons,
    inbound_channels,
    is_unused,
    may_be_unused,
    summarize_spend,
)
from bot.providers.infobip import iterate_numbers, iterate_pages
from bot.providers.infobip.errors import InfobipError, InfobipNotFound
from bot.providers.infobip.models import Number, NumberList, OwnedNumbersQuery
from bot.slack.mrkdwn import escape
from bot.slack.numbers.outcomes import explain_numbers_error
from bot.store.approvals import waiting_approvals
from bot.store.audit import list_audit
from bot.store.requests import list_requests
from bot.usecases import buy_number, cancel_number

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger("bot.slack.spend")

NUMBERS_PAGE = 100  # owned numbers per page (listing them is allowed 1 call a second)
ASSOCIATIONS_PAGE = 100
_CHANGE_KINDS = {buy_number.ACTION: ChangeKind.PURCHASE, cancel_number.ACTION: ChangeKind.CANCELLATION}


@dataclass(frozen=True)
class SpendReport:
    """A summary and when it was read; or, when it could not be read, why (headline, details: mrkdwn)."""

    summary: SpendSummary | None = None
    as_of: datetime | None = None
    problem: tuple[str, list[str]] | None = None


@dataclass
class SpendCache:
    """The last report read, for the whole account (the numbers are the account's, whoever looks)."""

    report: SpendReport | None = None
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)


# ---- the bot's own records ---------------------------------------------------------------------


def number_changes(db: sqlite_utils.Database) -> list[NumberChange]:
    """Every purchase and cancellation the bot made (audited once Infobip confirmed them)."""
    changes = []
    for action, kind in _CHANGE_KINDS.items():
        for entry in list_audit(db, action_prefix=action):
            if entry.action != action:
                continue
            change = change_from_audit(kind, at=entry.at, actor=entry.actor, target=entry.target, details=entry.details)
            if change is not None:
                changes.append(change)
    return changes


def procured_numbers(db: sqlite_utils.Database) -> list[tuple[str, Bought]]:
    """(numberKey, when) of the numbers completed number requests brought in."""
    found = []
    for request in list_requests(db, limit=None, statuses=["COMPLETED"]):
        when = request.status_at or request.updated_at
        try:
            at = datetime.fromisoformat(when)
        except ValueError:
            continue
        for number in request.numbers:
            key = number.get("numberKey")
            if isinstance(key, str) and key and number.get("status", "SUCCESS") == "SUCCESS":
                found.append((key, Bought(at, request.requester, request.id)))
    return found


# ---- Infobip -----------------------------------------------------------------------------------


async def owned_numbers(services: Services) -> list[Number]:
    """Every owned number, page after page."""

    async def page(number: int) -> NumberList:
        try:
            return await services.infobip.list_owned_numbers(OwnedNumbersQuery(page=number, limit=NUMBERS_PAGE))
        except InfobipNotFound:  # Infobip's way of saying there are none, on some accounts
            return NumberList()

    return [n async for n in iterate_numbers(page)]


async def associated_numbers(services: Services) -> set[str]:
    """The numberKeys with at least one resource association."""
    infobip = services.infobip
    pages = iterate_pages(
        lambda page: infobip.list_associations(resource_type="NUMBER", page=page, size=ASSOCIATIONS_PAGE)
    )
    return {association.resource_id async for association in pages}


async def configured_numbers(services: Services, numbers: Sequence[Number]) -> set[str]:
    """The numberKeys among `numbers` with at least one inbound configuration. A number gone
    meanwhile (404) counts too: it is not to be offered for cancelling."""

    async def configured(number: Number) -> bool:
        key = number.number_key or ""
        try:
            for channel in inbound_channels(number):
                if await services.infobip.get_inbound_configurations(channel, number_key=key):
                    return True
        except InfobipNotFound:
            return True
        return False

    answers = await asyncio.gather(*(configured(n) for n in numbers))
    return {n.number_key or "" for n, yes in zip(numbers, answers, strict=True) if yes}


def pending_purchases(db: sqlite_utils.Database) -> list[PendingCost]:
    """The purchases waiting for approval: what each would cost a month, and at once."""
    pending = []
    for approval in waiting_approvals(db, PURCHASE):
        offer = Offer.model_validate(approval.summary["offer"])
        price = offer.price
        monthly = Decimal(str(offer.per_month)) if offer.per_month is not None else None
        once = due_at_purchase(price) if price is not None else None
        pending.append(PendingCost(approval.what, monthly, once, offer.currency))
    return pending


async def load_spend(services: Services) -> SpendSummary:
    """The report as Infobip and the bot's records have it now; raises InfobipError."""
    numbers, associated = await asyncio.gather(owned_numbers(services), associated_numbers(services))
    configured = await configured_numbers(services, [n for n in numbers if may_be_unused(n, associated)])
    return summarize_spend(
        numbers,
        associated=associated,
        configured=configured,
        changes=number_changes(services.db),
        pending=pending_purchases(services.db),
        now=services.clock.now(),
        procured=procured_numbers(services.db),
    )


async def spend_report(services: Services, *, max_age: float | None = 0.0) -> SpendReport:
    """The report, read again when the kept one is older than `max_age` seconds (0: read now);
    with `max_age` None only what is kept (an empty report when nothing is): that never waits for
    Infobip. Callers asking at once share one reading. A report that could not be read says why,
    and is not kept."""
    cache = services.spend_cache
    if max_age is None:
        return cache.report or SpendReport()
    asked = services.clock.now()
    async with cache._lock:
        kept = cache.report
        if kept is not None and kept.as_of is not None and (asked - kept.as_of).total_seconds() <= max_age:
            return kept
        if kept is not None and kept.as_of is not None and kept.as_of >= asked:
            return kept  # read by someone else while this caller waited
        try:
            summary = await load_spend(services)
        except InfobipError as error:
            log.warning("the spend report could not be read: %s", error)
            return SpendReport(problem=explain_numbers_error(error))
        cache.report = SpendReport(summary, services.clock.now())
        return cache.report


@dataclass(frozen=True)
class StillUnused:
    """A number read again before it is cancelled from the unused list: the number when nothing
    uses it yet; otherwise why it is not cancelled (mrkdwn)."""

    number: Number | None
    problem: str | None = None


async def still_unused(services: Services, number_key: str, shown: str) -> StillUnused:
    """The list may be minutes old (a Home tab's is kept): read the number, its associations and
    inbound configurations again, and cancel only what is unused now. `shown`: the number as the
    list showed it (mrkdwn-safe)."""
    try:
        number = await services.infobip.get_owned_number(number_key)
        found = await services.infobip.list_associations(resource_type="NUMBER", resource_id=number_key, size=1)
        associated = {a.resource_id for a in found.results}
        configured = await configured_numbers(services, [number]) if may_be_unused(number, associated) else set()
    except InfobipNotFound:
        return StillUnused(
            None,
            f":x: {shown} is not among the account's numbers any more: someone may have cancelled it "
            "meanwhile. Nothing was changed.",
        )
    except InfobipError as error:
        headline, details = explain_numbers_error(error)
        lines = [f":warning: Could not check {shown} first: {headline}", *details, "Nothing was cancelled."]
        return StillUnused(None, "\n".join(lines))
    if is_unused(number, associated=associated, configured=configured):
        return StillUnused(number)
    why = escape("; ".join(in_use_reasons(number, associated=associated, configured=configured)))
    return StillUnused(
        None,
        f":warning: {shown} is in use now ({why}), so it was not cancelled. "
        "`/resource my-numbers` can still cancel it if that is what you want.",
    )
