"""The webhooks the sandbox's Infobip sends: their bodies, and a durable outbox that delivers them.

Bodies follow the contract's `webhooks` section: a status change is
`{"results": [{event, receivedAt, content{id, status, type, numbers?, requirementsFeedback, note?},
platform}]}`, a reminder `{"results": [{event, content{id, status, type, daysUntilRejection}}]}`.

They go through the stand-ins' outbox (bot/sandbox/outbox.py), which never blocks an API
answer: `send()` only queues. A background loop POSTs each body to `webhook_url` with Basic
credentials and retries failures (non-2xx, connection errors) with exponential backoff, forever.
Messages about the same request keep their order: the next one waits until the one before it is
delivered.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime

import httpx

from bot.sandbox.infobip.clock import infobip_timestamp
from bot.sandbox.infobip.config import SandboxConfig
from bot.sandbox.infobip.lifecycle import ResourceRequest
from bot.sandbox.outbox import Message, Outbox

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
class Delivery(Message):
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


class WebhookOutbox(Outbox[Delivery]):
    kind = "webhook"
    log = logging.getLogger(__name__)

    def __init__(
        self, config: SandboxConfig, *, backoff: Backoff | None = None, timeout: float = 5.0, keep_delivered: int = 500
    ) -> None:
        super().__init__()
        self.config = config
        self.backoff = backoff or Backoff()
        self._timeout = timeout
        self._delivered: deque[Delivery] = deque(maxlen=keep_delivered)
        self._unsent: deque[Delivery] = deque(maxlen=keep_delivered)  # no webhook_url configured

    @property
    def timeout(self) -> float:
        return self._timeout

    def send(self, key: str, body: dict) -> None:
        """Queue a body; messages with the same key are delivered in the order they were sent."""
        delivery = Delivery(next(self._seq), key, body)
        if not self.config.webhook_url:
            self._unsent.append(delivery)
            return
        self._queue(delivery)

    def state(self) -> dict:
        return {
            "webhookUrl": self.config.webhook_url,
            "pending": self._pending_state(),
            "delivered": [d.describe() for d in self._delivered],
            "unsent": [d.describe() for d in self._unsent],
        }

    async def _post(self, client: httpx.AsyncClient, delivery: Delivery) -> httpx.Response:
        auth = None
        if self.config.webhook_username is not None:
            auth = httpx.BasicAuth(self.config.webhook_username, self.config.webhook_password or "")
        return await client.post(self.config.webhook_url or "", json=delivery.body, auth=auth)

    def _retry_in(self, delivery: Delivery) -> float:
        return self.backoff.delay(delivery.attempts)  # never given up

    def _finished(self, delivery: Delivery, failure: str | None) -> None:
        delivery.delivered_at = time.monotonic()
        self._delivered.append(delivery)
