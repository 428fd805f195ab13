"""Requirement lookups kept for a while, so that a form opened again appears at once.

What Infobip asks for a request type, country and options (the whole lookup query) changes
rarely, and a lookup can take seconds. An answer is kept for RESOURCEBOT_REQUIREMENTS_CACHE_SECONDS
(0: nothing is kept) and for at most `max_entries` queries, the least recently used dropped first.
A failed lookup is never kept: the next form asks again. Callers asking for the same query while
its lookup is under way share that one lookup (and its failure). When Infobip refuses a submission over
its requirements (`refused_over_requirements`), the form's entry is dropped with `forget`, so the
next form is built from a fresh lookup.

The entries live in this process's memory. With several replicas each keeps its own: a miss on
one of them only costs a lookup, so nothing is shared through the database.
"""

from __future__ import annotations

import asyncio
import json
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from bot.clock import Clock
from bot.providers.infobip.errors import InfobipAPIError
from bot.providers.infobip.models import Requirement, RequirementsQuery

DEFAULT_MAX_ENTRIES = 256

Lookup = Callable[[RequirementsQuery], Awaitable[list[Requirement]]]


@dataclass(frozen=True)
class _Entry:
    requirements: tuple[Requirement, ...]
    at: datetime


def query_key(query: RequirementsQuery) -> str:
    """The whole query as Infobip receives it: type, country and every option."""
    return json.dumps(query.to_wire(), sort_keys=True, separators=(",", ":"))


class RequirementsCache:
    """`lookup` answered from memory while an answer is younger than `ttl_seconds` (by `clock`)."""

    def __init__(
        self,
        lookup: Lookup,
        *,
        ttl_seconds: float,
        clock: Clock,
        max_entries: int = DEFAULT_MAX_ENTRIES,
    ) -> None:
        if ttl_seconds < 0:
            raise ValueError("ttl_seconds must be 0 (off) or more")
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self._lookup = lookup
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._max_entries = max_entries
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        # Bumped by every `forget`: an answer to a lookup that started before it is not kept.
        self._forgotten = 0
        # Lookups under way, by query key: whoever asks the same meanwhile waits for that one.
        self._asking: dict[str, asyncio.Task[list[Requirement]]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    async def lookup(self, query: RequirementsQuery) -> list[Requirement]:
        """The requirements for `query`: kept ones while fresh, else Infobip's (raises as the
        client does; a failure keeps nothing)."""
        if self.ttl_seconds <= 0:
            return await self._lookup(query)
        key = query_key(query)
        entry = self._entries.get(key)
        if entry is not None:
            if (self._clock.now() - entry.at).total_seconds() < self.ttl_seconds:
                self._entries.move_to_end(key)
                return _copies(entry.requirements)
            del self._entries[key]
        asking = self._asking.get(key)
        if asking is None:
            asking = asyncio.ensure_future(self._ask(key, query, self._forgotten, self._clock.now()))
            self._asking[key] = asking
            asking.add_done_callback(lambda done: self._done_asking(key, done))
        # Shielded: one caller giving up (its modal closed) does not cancel the others' lookup.
        return _copies(await asyncio.shield(asking))

    async def _ask(self, key: str, query: RequirementsQuery, forgotten: int, asked: datetime) -> list[Requirement]:
        """Infobip's answer, kept unless `forget` was called since the lookup was asked for."""
        requirements = await self._lookup(query)
        if forgotten == self._forgotten:
            self._entries[key] = _Entry(tuple(_copies(requirements)), asked)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)
        return requirements

    def _done_asking(self, key: str, done: asyncio.Task[list[Requirement]]) -> None:
        if self._asking.get(key) is done:
            del self._asking[key]
        if not done.cancelled():
            done.exception()  # each waiter got it; asyncio need not report it as never retrieved

    def forget(self, query: RequirementsQuery) -> None:
        """Drop what is kept for `query`: the next lookup asks Infobip."""
        self._forgotten += 1
        self._entries.pop(query_key(query), None)


def refused_over_requirements(error: Exception) -> bool:
    """Did Infobip refuse a submission or update over its requirements? Its 400 then names them in
    its violations (`requirements[3].key`: "Unknown requirement key …"): the set the form was built
    from may be out of date."""
    if not isinstance(error, InfobipAPIError) or error.status != 400:
        return False
    return any(str(prop).startswith("requirements") for prop, _ in error.violations)


def _copies(requirements: tuple[Requirement, ...] | list[Requirement]) -> list[Requirement]:
    """Copies, so that no caller changes what the next one is given."""
    return [requirement.model_copy(deep=True) for requirement in requirements]
