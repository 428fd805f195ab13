"""Infobip's two error bodies, as the sandbox sends them.

Resource requests, inbound configurations and subscriptions use the new shape
`{errorCode, description, action, violations, resources}`; numbers and provisioning use the
legacy `{"requestError": {"serviceException": {messageId, text, validationErrors}}}`.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.responses import JSONResponse

from bot.providers.infobip.operations import uses_legacy_errors


def new_error(
    status: int,
    error_code: str,
    description: str,
    action: str = "",
    violations: Iterable[tuple[str, str]] = (),
    resources: Iterable[tuple[str, str]] = (),
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = {
        "errorCode": error_code,
        "description": description,
        "action": action,
        "violations": [{"property": p, "violation": v} for p, v in violations],
        "resources": [{"name": n, "url": u} for n, u in resources],
    }
    return JSONResponse(body, status_code=status, headers=headers)


def legacy_error(
    status: int,
    message_id: str,
    text: str,
    validation_errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    details: dict = {"messageId": message_id, "text": text}
    if validation_errors:
        details["validationErrors"] = validation_errors
    return JSONResponse({"requestError": {"serviceException": details}}, status_code=status, headers=headers)


# The generic errors every operation can answer, in both shapes, worded as Infobip words them.
_GENERIC = {
    400: (
        ("E400", "Request cannot be processed.", "Check the syntax, violations and adjust the request."),
        ("BAD_REQUEST", "Bad request"),
    ),
    401: (
        (
            "E401",
            "The request lacks valid authentication credentials for the requested resource.",
            "Check the resources and adjust authentication credentials.",
        ),
        ("UNAUTHORIZED", "Unauthorized"),
    ),
    403: (
        ("E403", "The request is forbidden.", "Check the account's permissions for this API."),
        ("FORBIDDEN", "Forbidden"),
    ),
    404: (
        ("E404", "Requested resource not found.", "Check the request path and identifiers."),
        ("NOT_FOUND", "Not found"),
    ),
    429: (
        (
            "E429",
            "Too many requests sent.",
            "Check request rate limit specified in the API endpoint documentation resource.",
        ),
        ("TOO_MANY_REQUESTS", "Too many requests"),
    ),
    500: (
        ("E500", "Something went wrong.", "Contact the support."),
        ("GENERAL_ERROR", "Something went wrong. Please contact support."),
    ),
    503: (
        ("E503", "Service temporarily unavailable.", "Retry later."),
        ("SERVICE_UNAVAILABLE", "Service temporarily unavailable"),
    ),
}


def generic_error(path: str, status: int, headers: dict[str, str] | None = None) -> JSONResponse:
    """The standard body for `status` in the error shape that `path`'s family uses."""
    new, legacy = _GENERIC.get(status, _GENERIC[500])
    if uses_legacy_errors(path):
        return legacy_error(status, *legacy, headers=headers)
    return new_error(status, *new, headers=headers)
