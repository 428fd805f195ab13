"""Faults injected on purpose: slow answers, errors, 429 with Retry-After, dropped connections.

Tests and drills use them to show what the bot does when Infobip misbehaves. A rule matches an
operation id (or every operation when None) and applies to its next `times` calls.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field


@dataclass
class Fault:
    operation_id: str | None = None
    status: int | None = None          # answer with this status and the family's error body
    retry_after: float | None = None   # Retry-After header, with 429/503
    delay: float = 0.0                 # seconds to wait before answering (or before the fault)
    after_processing: bool = False     # do the work, then answer the fault (an unknown outcome)
    times: int | None = 1              # None: until cleared
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
