"""HTTP details every provider client shares: the httpx client and the retry policy.

The policy (each client's module docstring tells it for its operations):

- idempotent operations are retried on 429, 5xx, timeouts and lost connections, with
  exponential backoff and jitter, honouring `Retry-After`;
- the others are retried only when nothing can have been applied: a 429, or a connection that
  was never made. A timeout, a 5xx or a connection lost after sending raises the provider's
  "unknown outcome" error at once.

Retries stop after `max_retries` or once they would have slept more than `max_retry_wait`.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC
from types import TracebackType
from typing import Any, ClassVar, Self

import httpx
from pydantic import ValidationError

# A request extension naming the client's operation (e.g. "get-resource-request"), so an event
# hook can tell the calls apart without parsing URLs (bot/metrics.py times them by it).
OPERATION_EXTENSION = "resourcebot_operation"

_BACKOFF_BASE = 0.5  # seconds before the first retry (before jitter)
_BACKOFF_CAP = 8.0

# The connection was never made, so the request never left: safe to resend any operation.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Worth another try for an idempotent operation. Anything else (a bad URL scheme, a proxy
# refusing us) will fail the same way again.
_TRANSIENT = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


def unconfirmed(what: str, reason: str) -> str:
    """The message of every provider's "unknown outcome" error: `what` names the unconfirmed call."""
    return f"{what} ({reason}); it may or may not have been applied. Check its state before trying again."


@dataclass(frozen=True)
class Failures:
    """How one call's failures are told, in the provider's own exception classes."""

    api_error: Callable[[httpx.Response], Exception]  # an error status
    unknown_outcome: Callable[[str, int | None], Exception]  # (reason, HTTP status if any)
    transport_error: Callable[[str], Exception]  # (reason)


class ProviderClient:
    """One httpx client, `async with`, and the retry loop; a provider's client adds its operations."""

    _provider: ClassVar[str]  # as the retry log names it: "Infobip", "CM.com"
    _logger: ClassVar[logging.Logger]

    def __init__(
        self,
        base_url: str,
        headers: Mapping[str, str],
        timeout: httpx.Timeout | float,
        transport: httpx.AsyncBaseTransport | None,
        event_hooks: Mapping[str, list[Callable[..., Any]]] | None,
        max_retries: int,
        max_retry_wait: float,
    ):
        self.base_url = base_url.rstrip("/")
        self._max_retries = max_retries
        self._max_retry_wait = max_retry_wait
        # Credentials live only in the httpx client's default headers; never in an attribute.
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            headers={**headers, "Accept": "application/json"},
            timeout=timeout,
            transport=transport,
            event_hooks=event_hooks,
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _send(
        self,
        operation: str,
        idempotent: bool,
        attempt: Callable[[], Awaitable[httpx.Response]],
        failures: Failures,
    ) -> httpx.Response:
        """`attempt()` under the retry policy; return a 2xx response."""
        retries, waited = 0, 0.0
        while True:
            try:
                response = await attempt()
            except httpx.RequestError as exc:
                why = _describe_request_error(exc)
                if not isinstance(exc, _NOT_SENT):
                    if not idempotent:
                        raise failures.unknown_outcome(why, None) from exc
                    if not isinstance(exc, _TRANSIENT):
                        raise failures.transport_error(why) from exc
                error = failures.transport_error(why)
                error.__cause__ = exc
                delay = _backoff(retries)
            else:
                if response.is_success:
                    return response
                error = failures.api_error(response)
                status = response.status_code
                if status >= 500 and not idempotent:
                    raise failures.unknown_outcome(f"HTTP {status}", status) from error
                if status != 429 and status < 500:
                    raise error
                why = f"HTTP {status}"
                retry_after = retry_after_seconds(response.headers)
                delay = retry_after if retry_after is not None else _backoff(retries)
            if retries >= self._max_retries or waited + delay > self._max_retry_wait:
                raise error
            retries += 1
            waited += delay
            self._logger.warning(
                "%s %s failed (%s); retry %d of %d in %.2fs",
                self._provider,
                operation,
                why,
                retries,
                self._max_retries,
                delay,
            )
            await asyncio.sleep(delay)


def retry_after_seconds(headers: httpx.Headers, now: float | None = None) -> float | None:
    """`Retry-After` in seconds (it may be a number of seconds or an HTTP date); None if absent."""
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # "-0000": a UTC time of unknown origin
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def validation_detail(exc: ValidationError) -> str:
    """Where a success body first fails its model, and why: "results.0.id: Field required"."""
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "body"
    return f"{where}: {first['msg']}"


def _backoff(retries: int) -> float:
    """Exponential backoff with jitter, so that many clients do not retry in step."""
    return float(min(_BACKOFF_CAP, _BACKOFF_BASE * 2**retries) * random.uniform(0.5, 1.0))


def _describe_request_error(exc: httpx.RequestError) -> str:
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout)):
        return "could not connect"
    if isinstance(exc, httpx.PoolTimeout):
        return "no free connection"
    if isinstance(exc, httpx.TimeoutException):
        return "timed out waiting for the answer"
    if isinstance(exc, (httpx.NetworkError, httpx.RemoteProtocolError)):
        return "the connection was lost"
    return type(exc).__name__
