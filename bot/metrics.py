"""The bot's Prometheus metrics, served at GET /metrics.

Each bot (one Services) has a registry of its own rather than prometheus-client's global one, so
several bots in one process (the tests, the demo) neither collide nor count each other's traffic.

Counted as things happen: webhooks by route and result, provider calls (an httpx event hook on
each provider client), failed Slack Web API calls (a retry handler that retries nothing).
Read from the database at scrape time: the outbox backlog and the intents awaiting an outcome.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import choose_encoder
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from starlette.requests import Request
from starlette.responses import Response

from bot.providers.http import OPERATION_EXTENSION
from bot.store.backlog import Backlog
from bot.store.events import Outcome
from bot.store.worker import StoreBusy, is_locked

# A webhook handler may set request.state.<this> to say what became of it; else its status says.
WEBHOOK_RESULT = "webhook_result"
_STARTED = "resourcebot_started"  # request extension: when the provider call was sent
# Provider calls take from milliseconds (a lookup) to tens of seconds (a slow upload, a timeout).
PROVIDER_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_SLACK_ERROR_CODE = re.compile(r"^[a-z0-9_]{1,64}$")  # Slack's error codes; anything else is "other"


class BotMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.webhooks = Counter(
            "resourcebot_webhooks_received",
            "Provider webhooks received, by route and what became of them "
            "(accepted, duplicate, unknown, refused, unauthorized, busy, error)",
            ["route", "result"],
            registry=self.registry,
        )
        self.provider_calls = Histogram(
            "resourcebot_provider_call_seconds",
            "Calls to a provider's API until its answer's headers, by provider, operation and HTTP status",
            ["provider", "operation", "status"],
            buckets=PROVIDER_BUCKETS,
            registry=self.registry,
        )
        self.slack_api_errors = Counter(
            "resourcebot_slack_api_errors",
            "Slack Web API calls that failed, by method and error: Slack's error "
            "code, ratelimited for a 429, http_<status>, or the exception's name when no answer came",
            ["method", "error"],
            registry=self.registry,
        )
        self.outbox_pending = Gauge(
            "resourcebot_outbox_pending", "Slack deliveries recorded and not made yet", registry=self.registry
        )
        self.outbox_oldest_age = Gauge(
            "resourcebot_outbox_oldest_pending_age_seconds",
            "How long the oldest undelivered Slack delivery has waited (0 when none waits)",
            registry=self.registry,
        )
        self.open_intents = Gauge(
            "resourcebot_intents_open",
            "Changes at a provider without a final outcome, by state (unknown: the "
            "answer was lost and recovery will look it up)",
            ["state"],
            registry=self.registry,
        )

    # ---- provider calls ---------------------------------------------------------------------

    def provider_event_hooks(self, provider: str) -> dict[str, list[Callable[..., Awaitable[None]]]]:
        """httpx event hooks that time each call of a provider client (each attempt, retries apart).
        The operation comes from the request's extensions (the clients set OPERATION_EXTENSION)."""

        async def sent(request: httpx.Request) -> None:
            request.extensions[_STARTED] = time.perf_counter()

        async def answered(response: httpx.Response) -> None:
            request = response.request
            started = request.extensions.get(_STARTED)
            if started is None:
                return
            self.provider_calls.labels(
                provider, request.extensions.get(OPERATION_EXTENSION, "other"), str(response.status_code)
            ).observe(time.perf_counter() - started)

        return {"request": [sent], "response": [answered]}

    # ---- Slack ------------------------------------------------------------------------------

    def slack_error_counter(self, api_url: str) -> AsyncRetryHandler:
        return SlackErrorCounter(self.slack_api_errors, api_url)

    # ---- webhooks ---------------------------------------------------------------------------

    def counted_webhook(
        self, route: str, endpoint: Callable[[Request], Awaitable[Response]]
    ) -> Callable[[Request], Awaitable[Response]]:
        """`endpoint`, each call counted under `route` with its result."""

        async def counted(request: Request) -> Response:
            try:
                response = await endpoint(request)
            except Exception as error:
                # The app's handler answers a locked database 503: the sender sends it again.
                self.webhooks.labels(
                    route, "busy" if isinstance(error, StoreBusy) or is_locked(error) else "error"
                ).inc()
                raise
            result = getattr(request.state, WEBHOOK_RESULT, None) or result_for_status(response.status_code)
            self.webhooks.labels(route, result).inc()
            return response

        return counted

    # ---- the scrape -------------------------------------------------------------------------

    def response(self, backlog: Backlog, accept: str | None) -> Response:
        """The exposition, with the backlog read just before; in the format the scraper asked for."""
        self.outbox_pending.set(backlog.outbox_pending)
        self.outbox_oldest_age.set(backlog.outbox_oldest_age_seconds)
        for state, count in backlog.open_intents.items():
            self.open_intents.labels(state).set(count)
        encode, content_type = choose_encoder(accept or "")
        return Response(encode(self.registry), headers={"Content-Type": content_type})


def result_for_status(status: int) -> str:
    if 200 <= status < 300:
        return "accepted"
    if status == 401:
        return "unauthorized"
    if status == 503:
        return "busy"
    if 400 <= status < 500:
        return "refused"
    return "error"


def webhook_result(outcomes: list[Outcome]) -> str:
    """One word for a webhook's events: accepted if any was stored, else unknown if any was for a
    request the bot does not know, else duplicate."""
    if not outcomes or any(o not in (Outcome.DUPLICATE, Outcome.UNKNOWN_REQUEST) for o in outcomes):
        return "accepted"
    return "unknown" if Outcome.UNKNOWN_REQUEST in outcomes else "duplicate"


class SlackErrorCounter(AsyncRetryHandler):
    """slack_sdk shows every answer, and every call that got none, to the client's retry handlers
    in turn: this one, first in the list, counts the failures and never asks for a retry."""

    def __init__(self, counter: Counter, api_url: str) -> None:
        super().__init__(max_retry_count=0)
        self._counter = counter
        self._api_url = api_url

    async def can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        failure = _slack_failure(response, error)
        if failure:
            self._counter.labels(self._method(request.url), failure).inc()
        return False

    def _method(self, url: str) -> str:
        # Only Web API methods by name: file upload URLs are one-off and carry an opaque id.
        if not url.startswith(self._api_url):
            return "file_upload"
        method = url[len(self._api_url) :].split("?", 1)[0]
        return method if re.fullmatch(r"[A-Za-z0-9_.]{1,64}", method) else "other"


def _slack_failure(response: HttpResponse | None, error: Exception | None) -> str | None:
    if error is not None:
        return type(error).__name__
    if response is None:
        return None
    body: Any = response.body
    code = body.get("error") if isinstance(body, dict) and body.get("ok") is False else None
    if response.status_code == 429:
        return "ratelimited"
    if code is not None:
        return code if isinstance(code, str) and _SLACK_ERROR_CODE.match(code) else "other"
    if response.status_code >= 400:
        return f"http_{response.status_code}"
    return None
