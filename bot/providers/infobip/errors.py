"""One exception hierarchy for everything the Infobip client can raise.

    InfobipError
    ├── InfobipAPIError          Infobip answered with an error status (both error body shapes)
    │   ├── InfobipNotFound      404
    │   └── InfobipRateLimited   429, with `retry_after` seconds when Infobip said
    ├── InfobipUnknownOutcome    a non-idempotent call may or may not have been applied
    ├── InfobipTransportError    no usable answer: could not connect, or timed out on a safe call
    └── InfobipUnexpectedResponse  a success status with a body that does not fit the contract

`str(exc)` is a sentence meant for people. No message, attribute or repr holds the API key:
errors are built from the response status and body and from the operation id only.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from pydantic import ValidationError

from bot.providers.http import (
    retry_after_seconds,  # noqa: F401 - part of this module's API
    unconfirmed,
)
from bot.providers.infobip.models import ApiError, LegacyApiError

# A plain-text error body longer than this is cut: it is a page, not a message.
_MAX_TEXT = 200


class InfobipError(Exception):
    """Base of every error raised by the Infobip client."""


class InfobipAPIError(InfobipError):
    """Infobip answered with an error status.

    Built from either error body: the new `{errorCode, description, action, violations,
    resources}` or the legacy `{"requestError": {"serviceException": {messageId, text,
    validationErrors}}}` (messageId → error_code, text → description, validationErrors →
    violations).
    """

    def __init__(
        self,
        status: int,
        *,
        error_code: str | None = None,
        description: str = "",
        action: str = "",
        violations: list[tuple[str, str]] | None = None,
        resources: list[tuple[str, str]] | None = None,
        operation_id: str | None = None,
    ):
        self.status = status
        self.error_code = error_code
        self.description = description
        self.action = action
        self.violations = violations or []  # (property, violation)
        self.resources = resources or []  # (name, url)
        self.operation_id = operation_id
        super().__init__(self._sentence())

    def _sentence(self) -> str:
        parts = [_as_sentence(self.description) or f"Infobip answered HTTP {self.status}.", _as_sentence(self.action)]
        if self.violations:
            parts.append("(" + "; ".join(f"{p}: {v}" if p else v for p, v in self.violations) + ")")
        return " ".join(part for part in parts if part)


class InfobipNotFound(InfobipAPIError):
    """404: the request, document, number, application… does not exist (or not for this key)."""


class InfobipRateLimited(InfobipAPIError):
    """429 after the client's own retries; `retry_after` is in seconds when Infobip said."""

    def __init__(self, status: int, *, retry_after: float | None = None, **fields: Any):
        self.retry_after = retry_after
        super().__init__(status, **fields)


class InfobipUnknownOutcome(InfobipError):
    """A non-idempotent call (submit, purchase, update, cancel, upload, create) timed out, got a
    5xx or lost its connection after the request was sent: Infobip may or may not have applied
    it. Do not blindly resend; reconcile by reading the state back (e.g. list requests)."""

    def __init__(self, operation_id: str, reason: str, *, status: int | None = None):
        self.operation_id = operation_id
        self.status = status
        super().__init__(unconfirmed(f"Infobip did not confirm the {operation_id} call", reason))


class InfobipTransportError(InfobipError):
    """No usable answer from Infobip: the connection could not be made (nothing was sent), or a
    safe-to-repeat call kept timing out or losing its connection."""

    def __init__(self, operation_id: str, reason: str):
        self.operation_id = operation_id
        super().__init__(f"Could not reach Infobip for {operation_id}: {reason}.")


class InfobipUnexpectedResponse(InfobipError):
    """A success status whose body does not fit the contract. For a non-idempotent call the
    action did happen, but its result (e.g. the new id) could not be read."""

    def __init__(self, operation_id: str, status: int, detail: str):
        self.operation_id = operation_id
        self.status = status
        super().__init__(
            f"Infobip answered {operation_id} with HTTP {status} and a body the bot could not read: {detail}"
        )


def api_error_from_response(response: httpx.Response, operation_id: str | None = None) -> InfobipAPIError:
    """The InfobipAPIError (or subclass) for an error response, whatever its body."""
    fields = _fields_from_body(response)
    status = response.status_code
    if status == 404:
        return InfobipNotFound(status, operation_id=operation_id, **fields)
    if status == 429:
        return InfobipRateLimited(
            status, retry_after=retry_after_seconds(response.headers), operation_id=operation_id, **fields
        )
    return InfobipAPIError(status, operation_id=operation_id, **fields)


def _fields_from_body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = json.loads(response.content)
    except ValueError:
        body = None
    if isinstance(body, dict):
        if "errorCode" in body:
            try:
                new = ApiError.model_validate(body)
            except ValidationError:
                pass
            else:
                return {
                    "error_code": new.error_code,
                    "description": new.description,
                    "action": new.action,
                    "violations": [(v.property, v.violation) for v in new.violations],
                    "resources": [(r.name, r.url) for r in new.resources],
                }
        if "requestError" in body:
            try:
                details = LegacyApiError.model_validate(body).request_error.service_exception
            except ValidationError:
                pass
            else:
                return {
                    "error_code": details.message_id,
                    "description": details.text or "",
                    "violations": [
                        (field, message)
                        for field, messages in (details.validation_errors or {}).items()
                        for message in messages
                    ],
                }
    return {"description": _describe_unknown_body(response)}


def _describe_unknown_body(response: httpx.Response) -> str:
    """A readable description for a body in neither shape (a proxy's page, plain text, empty)."""
    summary = f"Infobip answered HTTP {response.status_code} {response.reason_phrase}".rstrip() + "."
    content_type = response.headers.get("content-type", "")
    text = response.text.strip() if response.content else ""
    if text and "html" not in content_type and not text.startswith("<"):
        snippet = " ".join(text.split())
        if len(snippet) > _MAX_TEXT:
            snippet = snippet[:_MAX_TEXT] + "…"
        return f"{summary} {snippet}"
    return summary


def _as_sentence(text: str) -> str:
    text = " ".join((text or "").split())
    if text and text[-1] not in ".!?…":
        text += "."
    return text
