"""The delivery loop both stand-ins send their webhooks through: Infobip's status changes and
reminders (infobip/webhook_sender.py) and CM.com's callbacks (cm/callbacks.py).

`send()` only queues, so an API answer never waits for a receiver. A background loop (`run()`)
POSTs each body as JSON and retries failures (non-2xx, connection errors) with backoff, as long
as the sender says. Messages with the same key (the request they are about) keep their order:
the next one waits until the one before it is delivered or given up.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from abc import ABC, abstractmethod
from collections import deque
from dataclasses import dataclass
from typing import Generic, TypeVar

import httpx


@dataclass
class Message(ABC):
    seq: int
    key: str  # the request it is about
    body: dict
    attempts: int = 0
    next_attempt: float = 0.0  # time.monotonic()
    last_error: str | None = None

    @abstractmethod
    def describe(self) -> dict: ...


M = TypeVar("M", bound=Message)


class Outbox(ABC, Generic[M]):
    """Queues per key and the loop that POSTs their heads; a sender says where, how long to wait
    before the next try, and what to keep of a finished message."""

    kind = "message"  # as the log names one
    log = logging.getLogger(__name__)

    def __init__(self) -> None:
        self._queues: dict[str, deque[M]] = {}
        self._seq = itertools.count(1)
        self._wake = asyncio.Event()

    # -- what a sender says

    @property
    @abstractmethod
    def timeout(self) -> float: ...

    @abstractmethod
    async def _post(self, client: httpx.AsyncClient, message: M) -> httpx.Response: ...

    @abstractmethod
    def _retry_in(self, message: M) -> float | None:
        """Seconds until the next attempt after a failed one; None: give up."""

    @abstractmethod
    def _finished(self, message: M, failure: str | None) -> None:
        """Keep a message delivered (failure None) or given up."""

    # -- the queues

    def _queue(self, message: M) -> None:
        self._queues.setdefault(message.key, deque()).append(message)
        self._wake.set()

    @property
    def pending(self) -> int:
        return sum(len(queue) for queue in self._queues.values())

    def _pending_state(self) -> list[dict]:
        """Every queued message, oldest first, with the seconds until its next attempt."""
        now = time.monotonic()
        pending = sorted((m for q in self._queues.values() for m in q), key=lambda m: m.seq)
        return [{**m.describe(), "nextAttemptIn": round(max(0.0, m.next_attempt - now), 3)} for m in pending]

    async def drained(self, timeout: float) -> bool:
        """Wait until every queued message is delivered or given up; False if `timeout` passes."""
        deadline = time.monotonic() + timeout
        while self.pending:
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(0.01)
        return True

    # -- delivery

    async def run(self) -> None:
        async with httpx.AsyncClient(timeout=self.timeout) as client:
            while True:
                self._wake.clear()
                now = time.monotonic()
                heads = [queue[0] for queue in self._queues.values() if queue]
                due = [m for m in heads if m.next_attempt <= now]
                if due:
                    await asyncio.gather(*(self._attempt(client, m) for m in due))
                    continue
                wait = min((m.next_attempt - now for m in heads), default=None)
                try:
                    await asyncio.wait_for(self._wake.wait(), wait)
                except TimeoutError:
                    pass

    async def _attempt(self, client: httpx.AsyncClient, message: M) -> None:
        message.attempts += 1
        try:
            response = await self._post(client, message)
            failure = None if response.is_success else f"HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            failure = f"{type(exc).__name__}: {exc}"
        message.last_error = failure
        retry_in = None if failure is None else self._retry_in(message)
        if retry_in is not None:
            message.next_attempt = time.monotonic() + retry_in
            self.log.info(
                "%s %s for %s failed (%s), attempt %d", self.kind, message.seq, message.key, failure, message.attempts
            )
            return
        queue = self._queues.get(message.key)
        if queue and queue[0] is message:  # else a reset forgot it meanwhile
            queue.popleft()
            if not queue:
                del self._queues[message.key]
        self._finished(message, failure)
