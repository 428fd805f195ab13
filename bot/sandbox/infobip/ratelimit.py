"""Per-operation token buckets, so the sandbox answers 429 where Infobip would."""

from __future__ import annotations

import time

from bot.providers.infobip.operations import Operation


class RateLimiter:
    def __init__(self, speedup: float = 1.0) -> None:
        # speedup > 1 lets tests run faster than the real limits while keeping the same shape.
        self._speedup = speedup
        self._buckets: dict[str, tuple[float, float]] = {}  # operation id -> (tokens, last refill)

    def allow(self, op: Operation) -> tuple[bool, float]:
        """(allowed, seconds until the next token)."""
        if op.rate is None:
            return True, 0.0
        rate = op.rate * self._speedup
        now = time.monotonic()
        tokens, last = self._buckets.get(op.operation_id, (float(op.burst), now))
        tokens = min(float(op.burst), tokens + (now - last) * rate)
        if tokens >= 1.0:
            self._buckets[op.operation_id] = (tokens - 1.0, now)
            return True, 0.0
        self._buckets[op.operation_id] = (tokens, now)
        return False, (1.0 - tokens) / rate
