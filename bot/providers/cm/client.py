"""Async client for CM.com voice number requests: one typed method per operation.

Retry policy, as for Infobip (bot/providers/http.py):

- reads (get a request, order restrictions, locale options) are retried on 429, 5xx, timeouts
  and lost connections, with exponential backoff and jitter, honouring `Retry-After`;
- create and cancel are retried only when nothing can have been applied: a 429, or a connection
  that was never made. A timeout, a 5xx or a connection lost after sending raises
  `CmUnknownOutcome` at once: read the state back before trying again.

Retries stop after `max_retries` or once they would have slept more than `max_retry_wait`.

Errors (one hierarchy; `str(error)` is a sentence for people and never holds the product token):

    CmError
    ├── CmAPIError            CM.com answered with an error status (`status`, `message`)
    │   └── CmNotFound        404: no such request, or not for this account
    ├── CmUnknownOutcome      create/cancel may or may not have been applied
    ├── CmTransportError      no usable answer (could not connect, or a read kept failing)
    └── CmUnexpectedResponse  a success status with a body that does not fit the contract
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote
from uuid import UUID

import httpx
from pydantic import BaseModel, ValidationError

from bot.providers.cm import wire
from bot.providers.cm.models import CmNumberRequest, CmNumberRequestCreate, LocaleOptions, OrderRestrictions
from bot.providers.http import OPERATION_EXTENSION, Failures, ProviderClient, unconfirmed, validation_detail

logger = logging.getLogger("bot.providers.cm")

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)

_MAX_MESSAGE = 200  # an error text longer than this is a page, not a message

M = TypeVar("M", bound=BaseModel)


# ---- Errors ------------------------------------------------------------------------------------


class CmError(Exception):
    """Base of every error raised by the CM.com client."""


class CmAPIError(CmError):
    """CM.com answered with an error status; `message` is its own text (or a summary)."""

    def __init__(self, status: int, message: str, *, operation: str | None = None):
        self.status = status
        self.message = message
        self.operation = operation
        doing = f" when {_DOING[operation]}" if operation in _DOING else ""
        hint = " Check the CM.com product token." if status == 401 else ""
        super().__init__(f"CM.com answered HTTP {status}{doing}: {_sentence(message)}{hint}")


class CmNotFound(CmAPIError):
    """404: the number request (or the account) does not exist for this product token."""


class CmUnknownOutcome(CmError):
    """Create or cancel timed out, got a 5xx or lost its connection after sending: CM.com may or
    may not have applied it. Do not resend blindly; read the state back first."""

    def __init__(self, operation: str, reason: str, *, status: int | None = None):
        self.operation = operation
        self.status = status
        super().__init__(unconfirmed(f"CM.com did not confirm {_DOING.get(operation, operation)}", reason))


class CmTransportError(CmError):
    """No usable answer: the connection could not be made, or a read kept failing."""

    def __init__(self, operation: str, reason: str):
        self.operation = operation
        self.reason = reason
        super().__init__(f"Could not reach CM.com when {_DOING.get(operation, operation)}: {reason}.")


class CmUnexpectedResponse(CmError):
    """A success status whose body does not fit the contract (for create: the request was made)."""

    def __init__(self, operation: str, status: int, detail: str):
        self.operation = operation
        self.status = status
        super().__init__(
            f"CM.com answered HTTP {status} when {_DOING.get(operation, operation)} with a "
            f"body the bot could not read: {detail}"
        )


# ---- Operations --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Operation:
    method: str
    path: str
    idempotent: bool  # safe to resend after a timeout or a 5xx


_OPERATIONS = {
    "create": _Operation("POST", wire.NUMBER_REQUESTS_PATH, idempotent=False),
    "get": _Operation("GET", wire.NUMBER_REQUEST_PATH, idempotent=True),
    # DELETE is idempotent in HTTP terms, but a cancel we cannot confirm must be read back, not
    # resent: a resend of a cancel that did happen answers "already final".
    "cancel": _Operation("DELETE", wire.NUMBER_REQUEST_PATH, idempotent=False),
    "order-restrictions": _Operation("GET", wire.ORDER_RESTRICTIONS_PATH, idempotent=True),
    "locale-options": _Operation("GET", wire.LOCALE_OPTIONS_PATH, idempotent=True),
}

_DOING = {
    "create": "creating a number request",
    "get": "reading a number request",
    "cancel": "cancelling a number request",
    "order-restrictions": "reading the order restrictions",
    "locale-options": "reading the locale options",
}


# ---- Client ------------------------------------------------------------------------------------


class CmClient(ProviderClient):
    """Async CM.com client; use as `async with CmClient(url, token, account) as cm: ...`.

    `base_url` is the host (`wire.DEFAULT_BASE_URL` in production); the client adds the paths.
    `event_hooks` go straight to httpx.
    """

    _provider = "CM.com"
    _logger = logger

    def __init__(
        self,
        base_url: str,
        product_token: str,
        account_id: str,
        *,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
        event_hooks: Mapping[str, list[Callable[..., Any]]] | None = None,
        max_retries: int = 3,
        max_retry_wait: float = 30.0,
    ):
        if not product_token:
            raise ValueError("a CM.com product token is required")
        if timeout is None:
            raise ValueError("a timeout is required: a hung call must not hang the bot")
        try:
            UUID(account_id)
        except (TypeError, ValueError, AttributeError):
            raise ValueError(f"the CM.com account id must be a GUID, not {account_id!r}") from None
        headers = {wire.PRODUCT_TOKEN_HEADER: product_token}
        super().__init__(base_url, headers, timeout, transport, event_hooks, max_retries, max_retry_wait)
        self.account_id = account_id

    def __repr__(self) -> str:
        return f"CmClient(base_url={self.base_url!r}, account_id={self.account_id!r})"

    # ---- Operations ----------------------------------------------------------------------------

    async def create_number_request(self, body: CmNumberRequestCreate) -> CmNumberRequest:
        """Request numbers. The answer's `id` is null: later callbacks carry it.
        Raises CmUnknownOutcome when CM.com did not confirm."""
        response = await self._call("create", json=body.to_wire())
        return _parse(response, "create", CmNumberRequest)

    async def get_number_request(self, request_id: str) -> CmNumberRequest:
        response = await self._call("get", request_id=request_id)
        return _parse(response, "get", CmNumberRequest)

    async def cancel_number_request(self, request_id: str) -> None:
        """Cancel a request that is not final yet (CM.com refuses otherwise: CmAPIError)."""
        await self._call("cancel", request_id=request_id)

    async def order_restrictions(self) -> OrderRestrictions:
        response = await self._call("order-restrictions")
        return _parse(response, "order-restrictions", OrderRestrictions)

    async def locale_options(
        self, country_code: str, phone_number_type: wire.PhoneNumberType | str | None = None
    ) -> LocaleOptions:
        """Cities, regions and area codes for a country (ISO 3166-1 alpha-2)."""
        params = {wire.COUNTRY_CODE_PARAM: country_code.strip().upper()}
        if phone_number_type is not None:
            params[wire.PHONE_NUMBER_TYPE_PARAM] = str(phone_number_type)
        response = await self._call("locale-options", params=params)
        return _parse(response, "locale-options", LocaleOptions)

    # ---- Transport -----------------------------------------------------------------------------

    async def _call(
        self,
        operation: str,
        *,
        request_id: str | None = None,
        params: Mapping[str, str] | None = None,
        json: Any = None,
    ) -> httpx.Response:
        """Send one operation under the retry policy; return a 2xx response."""
        op = _OPERATIONS[operation]
        url = op.path.format(account_id=quote(self.account_id, safe=""), request_id=quote(request_id or "", safe=""))

        async def attempt() -> httpx.Response:
            extensions = {OPERATION_EXTENSION: operation}
            return await self._http.request(op.method, url, params=params, json=json, extensions=extensions)

        failures = Failures(
            api_error=lambda response: self._api_error(response, operation),
            unknown_outcome=lambda why, status: CmUnknownOutcome(operation, why, status=status),
            transport_error=lambda why: CmTransportError(operation, why),
        )
        return await self._send(operation, op.idempotent, attempt, failures)

    def _api_error(self, response: httpx.Response, operation: str) -> CmAPIError:
        message = _error_message(response)
        # A server that echoes our headers must not leak the token into logs or Slack.
        token = self._http.headers.get(wire.PRODUCT_TOKEN_HEADER, "")
        if token and token in message:
            message = message.replace(token, "[product token]")
        cls = CmNotFound if response.status_code == 404 else CmAPIError
        return cls(response.status_code, message, operation=operation)


# ---- Helpers -----------------------------------------------------------------------------------


def _parse(response: httpx.Response, operation: str, target: type[M]) -> M:
    try:
        return target.model_validate_json(response.content)
    except ValidationError as exc:
        raise CmUnexpectedResponse(operation, response.status_code, validation_detail(exc)) from exc


def _error_message(response: httpx.Response) -> str:
    """CM.com's own text for an error answer, whatever the body's shape; else a summary."""
    try:
        body = json.loads(response.content)
    except ValueError:
        body = None
    if isinstance(body, dict):
        for name in wire.ERROR_MESSAGE_FIELDS:
            if isinstance(body.get(name), str) and body[name].strip():
                return _cut(body[name])
    text = response.text.strip() if response.content else ""
    if text and not isinstance(body, (dict, list)) and "html" not in response.headers.get("content-type", ""):
        return _cut(text)
    return response.reason_phrase or "no message"


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_MESSAGE else text[:_MAX_MESSAGE] + "…"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?…" else text + "."
