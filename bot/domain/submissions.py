"""Submissions whose answer was lost: did Infobip create the request, and which one is it?

A submit that timed out (or got a 5xx, or lost its connection) may or may not have created the
request. The bot never sends it again; it lists the account's requests and looks for one that
fits what was sent: same type and country, same sender name (alphanumeric, RCS) or number type
(numbers), requested at or after the attempt (less a small allowance for the two clocks), and
not already the thread of another request of ours. Of those, the one requested first is ours.

Several unconfirmed submissions are matched oldest attempt first, each taking the earliest fit
left, so two identical submissions a minute apart get one request each, in order. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

UNCONFIRMED = "UNCONFIRMED"  # sent, answer lost: the reconciler looks for it
NOT_SUBMITTED = "NOT_SUBMITTED"  # looked for long enough and not found: nothing was created
# Infobip's clock and ours may differ by this much.
CLOCK_ALLOWANCE = timedelta(seconds=60)
# Looked for this long, a request that has not shown up was not created.
GIVE_UP_AFTER = timedelta(minutes=10)


class ListedRequest(Protocol):
    """What matching reads of a provider's request (Infobip's `ResourceRequest` has these)."""

    @property
    def id(self) -> str: ...
    @property
    def type(self) -> Any: ...
    @property
    def country_code(self) -> str | None: ...
    @property
    def sender_name(self) -> str | None: ...
    @property
    def number_type(self) -> Any: ...
    @property
    def requested_date(self) -> datetime | None: ...


Listed = TypeVar("Listed", bound=ListedRequest)


@dataclass(frozen=True)
class Attempt:
    """What the bot sent, and when, for one unconfirmed submission."""

    request_id: str  # the bot's own id
    kind: str  # ALPHANUMERIC_REGISTRATION | NUMBER_PURCHASE | RCS_SENDER_LAUNCH
    country: str | None
    sender_name: str | None
    number_type: str | None
    attempted_at: datetime


# Kinds told apart by their sender name (the others by their number type).
_BY_SENDER = frozenset({"ALPHANUMERIC_REGISTRATION", "RCS_SENDER_LAUNCH"})


def fits(attempt: Attempt, candidate: ListedRequest, allowance: timedelta = CLOCK_ALLOWANCE) -> bool:
    """Could `candidate` be what `attempt` created?"""
    if str(candidate.type) != attempt.kind:
        return False
    if (candidate.country_code or "").upper() != (attempt.country or "").upper():
        return False
    if attempt.kind in _BY_SENDER and (candidate.sender_name or "") != (attempt.sender_name or ""):
        return False
    if attempt.kind == "NUMBER_PURCHASE" and str(candidate.number_type or "") != (attempt.number_type or ""):
        return False
    if candidate.requested_date is None:
        return False
    return candidate.requested_date >= attempt.attempted_at - allowance


def match_attempts(
    attempts: Iterable[Attempt], candidates: Iterable[Listed], linked: set[str], allowance: timedelta = CLOCK_ALLOWANCE
) -> dict[str, Listed]:
    """{attempt's request_id: the provider's request it created}, for the attempts that have one.
    `linked`: provider ids already the thread of one of our requests (never matched again)."""
    dated = [(c.requested_date, c) for c in candidates if c.id not in linked and c.requested_date is not None]
    pool = [c for _, c in sorted(dated, key=lambda pair: pair[0])]
    taken: set[str] = set()
    found: dict[str, Listed] = {}
    for attempt in sorted(attempts, key=lambda a: a.attempted_at):
        for candidate in pool:
            if candidate.id not in taken and fits(attempt, candidate, allowance):
                found[attempt.request_id] = candidate
                taken.add(candidate.id)
                break
    return found


def given_up(attempt: Attempt, now: datetime, after: timedelta = GIVE_UP_AFTER) -> bool:
    """Long enough without a match: nothing was created."""
    return now - attempt.attempted_at >= after
