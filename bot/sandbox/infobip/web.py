"""HTTP helpers the sandbox parts share: errors in their family's shape, query parsing, paging.

A handler raises `Problem`; the `answers` decorator turns it into the error body that the path's
family uses (`uses_legacy_errors` decides, in one place, for the whole sandbox).
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Awaitable, Callable, Sequence

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.providers.infobip.operations import uses_legacy_errors
from bot.sandbox.infobip.errors import legacy_error, new_error

_LEGACY_IDS = {400: ("BAD_REQUEST", "Bad request"), 404: ("NOT_FOUND", "Not found"), 409: ("CONFLICT", "Conflict")}
_NEW_ACTIONS = {
    400: "Check the syntax, violations and adjust the request.",
    404: "Check the request path and identifiers.",
    409: "Check the existing resources and adjust the request.",
}


class Problem(Exception):
    """An error answer: status, a human text, and per-field validation messages."""

    def __init__(self, status: int, text: str, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(text)
        self.status = status
        self.text = text
        self.fields = fields or {}


def bad_request(field: str, message: str) -> Problem:
    return Problem(400, _LEGACY_IDS[400][1], {field: [message]})


def error_response(path: str, problem: Problem) -> JSONResponse:
    if uses_legacy_errors(path):
        message_id = _LEGACY_IDS.get(problem.status, ("GENERAL_ERROR",))[0]
        return legacy_error(problem.status, message_id, problem.text, problem.fields or None)
    violations = [(name, message) for name, messages in problem.fields.items() for message in messages]
    return new_error(
        problem.status, f"E{problem.status}", problem.text, _NEW_ACTIONS.get(problem.status, ""), violations
    )


Handler = Callable[[Request], Awaitable[Response]]


def answers(handler: Handler) -> Handler:
    """Wrap a route handler so that a raised Problem becomes the family's error body."""

    @functools.wraps(handler)
    async def wrapped(request: Request) -> Response:
        try:
            return await handler(request)
        except Problem as problem:
            return error_response(request.url.path, problem)

    return wrapped


async def json_body(request: Request) -> dict:
    """The request's JSON object, or a 400."""
    try:
        body = json.loads(await request.body() or b"null")
    except (ValueError, UnicodeDecodeError):
        raise Problem(400, "Request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise Problem(400, "Request body must be a JSON object.")
    return body


def query_int(request: Request, name: str, default: int, minimum: int = 0, maximum: int | None = None) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(name, "must be an integer") from None
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise bad_request(name, f"must be {bound}")
    return value


def query_list(request: Request, name: str) -> list[str]:
    """Every value of a repeated parameter; comma-separated values are accepted too."""
    values: list[str] = []
    for raw in request.query_params.getlist(name):
        values.extend(part.strip() for part in raw.split(",") if part.strip())
    return values


def paged(items: Sequence, page: int, size: int) -> tuple[list, dict]:
    """One page of `items` and the `paging` object that provisioning and subscriptions return."""
    start = page * size
    paging = {"page": page, "size": size, "totalPages": math.ceil(len(items) / size), "totalResults": len(items)}
    return list(items[start : start + size]), paging


def no_content(status: int = 204) -> Response:
    return Response(status_code=status)
