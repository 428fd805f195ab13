"""Faults injected on purpose into the CM.com API paths: slow answers, 5xx, 429 + Retry-After.

Tests use them to show what the client does when CM.com misbehaves. A fault matches an
operation (`wire`-independent names: create, get, cancel, order-restrictions, locale-options;
None for all) and applies to its next `times` calls (None: until cleared).
"""

from __future__ import annotations

from dataclasses import dataclass

OPERATIONS = ("create", "get", "cancel", "order-restrictions", "locale-options")


@dataclass
class Fault:
    operation: str | None = None
    status: int | None = None  # answer this status with {"message": ...}
    retry_after: float | None = None  # Retry-After header, with 429/503
    delay: float = 0.0  # seconds to wait before answering (or before the fault)
    after_processing: bool = False  # do the work, then answer the fault: an unknown outcome
    times: int | None = 1
    hits: int = 0


class FaultBook:
    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        if fault.operation is not None and fault.operation not in OPERATIONS:
            raise ValueError(f"unknown operation {fault.operation!r}; one of {', '.join(OPERATIONS)}")
        self._faults.append(fault)

    def clear(self) -> None:
        self._faults.clear()

    def take(self, operation: str) -> Fault | None:
        """The first live fault for this operation, counted as used."""
        for fault in self._faults:
            if fault.operation in (None, operation) and (fault.times is None or fault.hits < fault.times):
                fault.hits += 1
                return fault
        return None
