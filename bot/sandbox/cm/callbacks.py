"""The callbacks the CM.com stand-in POSTs: the whole number request object, to its callbackUrl.

They go through the stand-ins' outbox (bot/sandbox/outbox.py): `send()` only queues, and a
background loop (`run()`, started by the app's lifespan) POSTs each body as JSON, with no
signature (CM.com signs nothing). Failures (non-2xx, connection errors) are retried with
exponential backoff until `callback_max_attempts`. Callbacks of the same request keep their
order: the next one waits until the one before it is delivered or given up.
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass

import httpx

from bot.providers.cm import wire
from bot.sandbox.cm.config import CmSandboxConfig
from bot.sandbox.outbox import Message, Outbox


@dataclass(kw_only=True)
class Callback(Message):
    url: str
    outcome: str = "pending"  # pending / delivered / given up

    def describe(self) -> dict:
        return {
            "seq": self.seq,
            "requestId": self.key,
            "status": self.body.get(wire.STATUS),
            "attempts": self.attempts,
            "lastError": self.last_error,
            "outcome": self.outcome,
            "body": self.body,
        }


class CallbackOutbox(Outbox[Callback]):
    kind = "callback"
    log = logging.getLogger(__name__)

    def __init__(self, config: CmSandboxConfig, *, keep: int = 500) -> None:
        super().__init__()
        self.config = config
        self._done: deque[Callback] = deque(maxlen=keep)
        self._last: dict[str, Callback] = {}  # per request, for replay

    @property
    def timeout(self) -> float:
        return self.config.callback_timeout

    def send(self, request_id: str, url: str, body: dict) -> Callback:
        """Queue one callback; those of the same request are delivered in this order."""
        callback = Callback(next(self._seq), request_id, body, url=url)
        self._queue(callback)
        self._last[request_id] = callback
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

    def of(self, request_id: str) -> list[dict]:
        """Every callback of one request still known, oldest first."""
        mine = [c for c in self._done if c.key == request_id]
        mine += list(self._queues.get(request_id, ()))
        return [c.describe() for c in sorted(mine, key=lambda c: c.seq)]

    def state(self) -> dict:
        return {"pending": self._pending_state(), "done": [c.describe() for c in self._done]}

    async def _post(self, client: httpx.AsyncClient, callback: Callback) -> httpx.Response:
        return await client.post(callback.url, json=callback.body)

    def _retry_in(self, callback: Callback) -> float | None:
        if callback.attempts >= self.config.callback_max_attempts:
            return None
        return min(self.config.callback_backoff * 2 ** (callback.attempts - 1), self.config.callback_backoff_cap)

    def _finished(self, callback: Callback, failure: str | None) -> None:
        callback.outcome = "delivered" if failure is None else "given up"
        if failure is not None:
            self.log.warning(
                "callback %s for %s given up after %d attempts (%s)",
                callback.seq,
                callback.key,
                callback.attempts,
                failure,
            )
        self._done.append(callback)
