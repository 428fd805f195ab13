"""The callbacks the CM.com stand-in POSTs: the whole number request object, to its callbackUrl.

`send()` only queues, so an API answer never waits for a receiver. A background loop (`run()`,
started by the app's lifespan) POSTs each body as JSON, with no signature (CM.com signs
nothing), and retries failures (non-2xx, connection errors) with exponential backoff until
`callback_max_attempts`. Callbacks of the same request keep their order: the next one waits
until the one before it is delivered or given up.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections import deque
from dataclasses import dataclass

import httpx

from bot.providers.cm import wire
from bot.sandbox.cm.config import CmSandboxConfig

log = logging.getLogger(__name__)


@dataclass
class Callback:
    seq: int
    request_id: str
    url: str
    body: dict
    attempts: int = 0
    next_attempt: float = 0.0  # time.monotonic()
    last_error: str | None = None
    outcome: str = "pending"  # pending / delivered / given up

    def describe(self) -> dict:
        return {
            "seq": self.seq,
            "requestId": self.request_id,
            "status": self.body.get(wire.STATUS),
            "attempts": self.attempts,
            "lastError": self.last_error,
            "outcome": self.outcome,
            "body": self.body,
        }


class CallbackOutbox:
    def __init__(self, config: CmSandboxConfig, *, keep: int = 500) -> None:
        self.config = config
        self._queues: dict[str, deque[Callback]] = {}
        self._done: deque[Callback] = deque(maxlen=keep)
        self._last: dict[str, Callback] = {}  # per request, for replay
        self._seq = itertools.count(1)
        self._wake = asyncio.Event()

    def send(self, request_id: str, url: str, body: dict) -> Callback:
        """Queue one callback; those of the same request are delivered in this order."""
        callback = Callback(next(self._seq), request_id, url, body)
        self._queues.setdefault(request_id, deque()).append(callback)
        self._last[request_id] = callback
        self._wake.set()
        return callback

    def replay(self, request_id: str) -> Callback | None:
        """Queue the last callback of a request again, body unchanged (a duplicate delivery)."""
        last = self._last.get(request_id)
        return None if last is None else self.send(request_id, last.url, last.body)

    def clear(self) -> None:
        """Forget every callback, sent or not (the admin reset)."""
        self._queues.clear()
        self._done.clear()
        self._last.clear()

    @property
    def pending(self) -> int:
        return sum(len(queue) for queue in self._queues.values())

    def of(self, request_id: str) -> list[dict]:
        """Every callback of one request still known, oldest first."""
        mine = [c for c in self._done if c.request_id == request_id]
        mine += list(self._queues.get(request_id, ()))
        return [c.describe() for c in sorted(mine, key=lambda c: c.seq)]

    def state(self) -> dict:
        now = time.monotonic()
        pending = sorted((c for q in self._queues.values() for c in q), key=lambda c: c.seq)
        return {
            "pending": [{**c.describe(), "nextAttemptIn": round(max(0.0, c.next_attempt - now), 3)} for c in pending],
            "done": [c.describe() for c in self._done],
        }

    async def drained(self, timeout: float) -> bool:
        """Wait until every queued callback is delivered or given up; False if `timeout` passes."""
        deadline = time.monotonic() + timeout
        while self.pending:
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(0.01)
        return True

    async def run(self) -> None:
        async with httpx.AsyncClient(timeout=self.config.callback_timeout) as client:
            while True:
                self._wake.clear()
                now = time.monotonic()
                heads = [queue[0] for queue in self._queues.values() if queue]
                due = [c for c in heads if c.next_attempt <= now]
                if due:
                    await asyncio.gather(*(self._attempt(client, c) for c in due))
                    continue
                wait = min((c.next_attempt - now for c in heads), default=None)
                try:
                    await asyncio.wait_for(self._wake.wait(), wait)
                except TimeoutError:
                    pass

    async def _attempt(self, client: httpx.AsyncClient, callback: Callback) -> None:
        callback.attempts += 1
        try:
            response = await client.post(callback.url, json=callback.body)
            failure = None if response.is_success else f"HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            failure = f"{type(exc).__name__}: {exc}"
        callback.last_error = failure
        if failure is not None and callback.attempts < self.config.callback_max_attempts:
            delay = min(self.config.callback_backoff * 2 ** (callback.attempts - 1), self.config.callback_backoff_cap)
            callback.next_attempt = time.monotonic() + delay
            log.info(
                "callback %s for %s failed (%s), attempt %d",
                callback.seq,
                callback.request_id,
                failure,
                callback.attempts,
            )
            return
        callback.outcome = "delivered" if failure is None else "given up"
        if failure is not None:
            log.warning(
                "callback %s for %s given up after %d attempts (%s)",
                callback.seq,
                callback.request_id,
                callback.attempts,
                failure,
            )
        queue = self._queues.get(callback.request_id)
        if queue and queue[0] is callback:  # else a reset forgot it meanwhile
            queue.popleft()
            if not queue:
                del self._queues[callback.request_id]
        self._done.append(callback)
