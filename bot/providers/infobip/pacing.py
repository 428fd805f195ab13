"""Client-side pacing: keep each operation under its documented per-account rate.

Infobip limits every operation separately (`x-throttling-info`, copied into operations.py).
A token bucket per operation id lets `burst` calls through at once and then one call every
`1 / rate` seconds. Waiting here is cheaper than collecting a 429 and backing off.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from bot.providers.infobip.operations import OPERATIONS, Operation


@dataclass
class _Bucket:
    tokens: float
    updated: float


class Pacer:
    """Token buckets per operation id.

    `acquire()` reserves a token before it sleeps: a bucket may go below zero, and each caller
    waits for its own place in line. The reservation happens between two awaits, so concurrent
    tasks on one event loop need no lock and are served in arrival order.

    `speedup` multiplies every rate (tests run the real shapes faster); `clock` and `sleep` can
    be replaced so tests need no real waiting.
    """

    def __init__(
        self,
        operations: Mapping[str, Operation] = OPERATIONS,
        *,
        speedup: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ):
        if speedup <= 0:
            raise ValueError("speedup must be positive")
        self._operations = operations
        self._speedup = speedup
        self._clock = clock
        self._sleep = sleep
        self._buckets: dict[str, _Bucket] = {}

    async def acquire(self, operation_id: str) -> float:
        """Wait until `operation_id` may be called; returns the seconds waited."""
        op = self._operations[operation_id]
        if op.rate is None:
            return 0.0
        rate = op.rate * self._speedup
        now = self._clock()
        bucket = self._buckets.setdefault(operation_id, _Bucket(float(op.burst), now))
        bucket.tokens = min(float(op.burst), bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        bucket.tokens -= 1.0
        wait = -bucket.tokens / rate if bucket.tokens < 0 else 0.0
        if wait > 0:
            # A cancelled waiter keeps its place used: handing it back could let a newcomer
            # share a later caller's slot and exceed the rate.
            await self._sleep(wait)
        return wait
