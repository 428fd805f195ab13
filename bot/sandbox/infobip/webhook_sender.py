"""The webhooks the sandbox's Infobip sends: their bodies, and a durable outbox that delivers them.

Bodies follow the contract's `webhooks` section: a status change is
`{"results": [{event, receivedAt, content{id, status, type, numbers?, requirementsFeedback, note?},
platform}]}`, a reminder `{"results": [{event, content{id, status, type, daysUntilRejection}}]}`.

The outbox never blocks an API answer: `send()` only queues. A background loop POSTs each body
to `webhook_url` with Basic credentials and retries failures (non-2xx, connection errors) with
exponential backoff, forever. Messages about the same request keep their order: the next one
waits until the one before it is delivered.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime

import httpx

from bot.sandbox.infobip.clock import infobip_timestamp
from bot.sandbox.infobip.config import SandboxConfig
from bot.sandbox.infobip.lifecycle import ResourceRequest

log = logging.getLogger(__name__)

STATUS_EVENT = "RESOURCE_REQUEST_STATUS_UPDATE"
REMINDER_EVENT = "RESOURCE_REQUEST_REMINDER"


def status_change_body(request: ResourceRequest, at: datetime) -> dict:
    content: dict = {"id": request.id, "status": request.status, "type": request.type}
    if request.type == "NUMBER_PURCHASE":
        content["numbers"] = [dict(number) for number in request.numbers]
    content["requirementsFeedback"] = [dict(item) for item in request.feedback]
    if request.note:
        content["note"] = request.note
    result = {
        "event": STATUS_EVENT,
        "receivedAt": infobip_timestamp(at),
        "content": content,
        "platform": request.platform_view(),
    }
    return {"results": [result]}


def reminder_body(request: ResourceRequest, days_until_rejection: int) -> dict:
    content = {
        "id": request.id,
        "status": request.status,
        "type": request.type,
        "daysUntilRejection": days_until_rejection,
    }
    return {"results": [{"event": REMINDER_EVENT, "content": content}]}


@dataclass
class Delivery:
    seq: int
    key: str
    body: dict
    attempts: int = 0
    next_attempt: float = 0.0  # time.monotonic()
    last_error: str | None = None
    delivered_at: float | None = None

    def describe(self) -> dict:
        result = self.body["results"][0]
        return {
            "seq": self.seq,
            "requestId": self.key,
            "event": result["event"],
            "status": result["content"].get("status"),
            "attempts": self.attempts,
            "lastError": self.last_error,
            "body": self.body,
        }


@dataclass
class Backoff:
    first: float = 0.25
    factor: float = 2.0
    longest: float = 60.0

    def delay(self, attempts: int) -> float:
        return min(self.first * self.factor ** (attempts - 1), self.longest)


class WebhookOutbox:
    def __init__(
        self, config: SandboxConfig, *, backoff: Backoff | None = None, timeout: float = 5.0, keep_delivered: int = 500
    ) -> None:
        self.config = config
        self.backoff = backoff or Backoff()
        self.timeout = timeout
        self._queues: dict[str, deque[Delivery]] = {}
        self._delivered: deque[Delivery] = deque(maxlen=keep_delivered)
        self._unsent: deque[Delivery] = deque(maxlen=keep_delivered)  # no webhook_url configured
        self._seq = itertools.count(1)
        self._wake = asyncio.Event()

    def send(self, key: str, body: dict) -> None:
        """Queue a body; messages with the same key are delivered in the order they were sent."""
        delivery = Delivery(next(self._seq), key, body)
        if not self.config.webhook_url:
            self._unsent.append(delivery)
            return
        self._queues.setdefault(key, deque()).append(delivery)
        self._wake.set()

    @property
    def pending(self) -> int:
        return sum(len(queue) for queue in self._queues.values())

    def state(self) -> dict:
        now = time.monotonic()
        pending = sorted((d for q in self._queues.values() for d in q), key=lambda d: d.seq)
        return {
            "webhookUrl": self.config.webhook_url,
            "pending": [{**d.describe(), "nextAttemptIn": round(max(0.0, d.next_attempt - now), 3)} for d in pending],
            "delivered": [d.describe() for d in self._delivered],
            "unsent": [d.describe() for d in self._unsent],
        }

    async def drained(self, timeout: float) -> bool:
        """Wait until every queued message is delivered; False if `timeout` seconds pass first."""
        deadline = time.monotonic() + timeout
        while self.pending:
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(0.01)
        return True

    async def run(self) -> None:
        async with httpx.AsyncClient(timeout=self.timeout) as client:
            while True:
                self._wake.clear()
                now = time.monotonic()
                heads = [queue[0] for queue in self._queues.values() if queue]
                due = [d for d in heads if d.next_attempt <= now]
                if due:
                    await asyncio.gather(*(self._attempt(client, d) for d in due))
                    continue
                wait = min((d.next_attempt - now for d in heads), default=None)
                try:
                    await asyncio.wait_for(self._wake.wait(), wait)
                except TimeoutError:
                    pass

    async def _attempt(self, client: httpx.AsyncClient, delivery: Delivery) -> None:
        delivery.attempts += 1
        auth = None
        if self.config.webhook_username is not None:
            auth = httpx.BasicAuth(self.config.webhook_username, self.config.webhook_password or "")
        try:
            response = await client.post(self.config.webhook_url or "", json=delivery.body, auth=auth)
            failure = None if response.is_success else f"HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            failure = f"{type(exc).__name__}: {exc}"
        if failure is None:
            delivery.delivered_at = time.monotonic()
            delivery.last_error = None
            queue = self._queues[delivery.key]
            queue.popleft()
            if not queue:
                del self._queues[delivery.key]
            self._delivered.append(delivery)
            return
        delivery.last_error = failure
        delivery.next_attempt = time.monotonic() + self.backoff.delay(delivery.attempts)
        log.info("webhook %s for %s failed (%s), attempt %d", delivery.seq, delivery.key, failure, delivery.attempts)
