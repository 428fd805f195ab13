"""Faults injected on purpose: slow answers, errors, 429 with Retry-After, dropped connections,
and calls held until someone releases them.

Tests and drills use them to show what the bot does when Infobip misbehaves. A rule matches an
operation id (or every operation when None) and applies to its next `times` calls.

A held call (`hold: true`) has arrived whole and waits, unprocessed, until it is released through
`POST /_sandbox/holds/{id}/release` with `{"process": true}` (the work is done and answered, to
whoever still listens) or `false` (nothing is done, as if it had never arrived). Drills use it to
stop the bot at an exact point: kill it while its call waits, then decide what Infobip did.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field


@dataclass
class Fault:
    operation_id: str | None = None
    status: int | None = None  # answer with this status and the family's error body
    retry_after: float | None = None  # Retry-After header, with 429/503
    delay: float = 0.0  # seconds to wait before answering (or before the fault)
    after_processing: bool = False  # do the work, then answer the fault (an unknown outcome)
    hold: bool = False  # wait, unprocessed, until released (see the module docstring)
    times: int | None = 1  # None: until cleared
    hits: int = field(default=0)


class FaultBook:
    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = asyncio.Lock()

    def add(self, fault: Fault) -> None:
        self._faults.append(fault)

    def clear(self) -> None:
        self._faults.clear()

    def take(self, operation_id: str) -> Fault | None:
        """The first live fault for this operation, counted as used."""
        for fault in self._faults:
            if fault.operation_id not in (None, operation_id):
                continue
            if fault.times is not None and fault.hits >= fault.times:
                continue
            fault.hits += 1
            return fault
        return None


@dataclass
class HeldCall:
    """A call that arrived and waits for a decision; `state` is held, answered or dropped."""

    id: int
    operation_id: str
    state: str = "held"
    release: asyncio.Event = field(default_factory=asyncio.Event)
    process: bool = True

    def describe(self) -> dict:
        return {"id": self.id, "operationId": self.operation_id, "state": self.state}


class HoldBook:
    """Held calls, in arrival order. Used from the sandbox's own event loop only."""

    def __init__(self) -> None:
        self.calls: list[HeldCall] = []

    def hold(self, operation_id: str) -> HeldCall:
        call = HeldCall(len(self.calls) + 1, operation_id)
        self.calls.append(call)
        return call

    def get(self, call_id: int) -> HeldCall | None:
        return next((c for c in self.calls if c.id == call_id), None)
