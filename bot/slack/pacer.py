"""Slack's pace for posting in a channel (about one message a second), kept per channel by the
outbox so it waits for a token instead of finding the limit through 429s."""

from __future__ import annotations

import asyncio
import time


class ChannelPacer:
    """A token bucket per channel for chat.postMessage: `rate` posts per second, `burst` at once.

    The burst is kept below Slack's so that a post arriving a little early (network jitter)
    still finds a token there. `block` is for a 429: no post before Retry-After has passed.
    """

    def __init__(self, rate: float = 1.0, burst: int = 2) -> None:
        self.rate = rate
        self.burst = max(1, burst)
        self._buckets: dict[str, tuple[float, float]] = {}  # channel -> (tokens, when)
        self._blocked_until: dict[str, float] = {}

    def _tokens(self, channel: str, now: float) -> float:
        tokens, at = self._buckets.get(channel, (float(self.burst), now))
        return min(float(self.burst), tokens + (now - at) * self.rate)

    def wait_time(self, channel: str, now: float | None = None) -> float:
        """Seconds until a post to `channel` may go (0 when it may go now)."""
        now = time.monotonic() if now is None else now
        blocked = max(0.0, self._blocked_until.get(channel, 0.0) - now)
        tokens = self._tokens(channel, now)
        return max(blocked, 0.0 if tokens >= 1.0 else (1.0 - tokens) / self.rate)

    async def acquire(self, channel: str) -> None:
        """Wait for the channel's next token and take it."""
        while True:
            now = time.monotonic()
            wait = self.wait_time(channel, now)
            if wait <= 0:
                self._buckets[channel] = (self._tokens(channel, now) - 1.0, now)
                return
            await asyncio.sleep(wait)

    def block(self, channel: str, seconds: float) -> None:
        """Slack said 429: leave the channel alone for `seconds`, then start from one token."""
        now = time.monotonic()
        self._blocked_until[channel] = max(self._blocked_until.get(channel, 0.0), now + seconds)
        self._buckets[channel] = (1.0 - seconds * self.rate, now)

    def blocked_for(self, channel: str) -> float:
        return max(0.0, self._blocked_until.get(channel, 0.0) - time.monotonic())
