"""The CM.com stand-in's ASGI app: the voice number request paths, plus admin routes.

API paths (names from `bot/providers/cm/wire.py`, mostly assumed): every call needs
`X-CM-PRODUCTTOKEN` equal to the configured token (401 otherwise) and the configured account
GUID in the path (404 for any other). Errors are `{"message": "<sentence>"}` (assumed shape):
400 for a bad create body (all problems in one message), 404 for an unknown request, 409 for
cancelling a request that is already final.

Admin routes, under /_sandbox, need the same product token (so a stand-in bound to a public
interface is not an open door) but no account:

    GET    /_sandbox/requests[?status=S]        every request with its history and callbacks
    GET    /_sandbox/requests/{id}              one of them
    POST   /_sandbox/requests/{id}/accept       {"reason": str, "numbers"?: [E.164]} → Accepted
    POST   /_sandbox/requests/{id}/reject       {"reason": str} → Rejected
    POST   /_sandbox/requests/{id}/replay       send the last callback again, unchanged → 202
    GET    /_sandbox/callbacks                  pending and done callbacks
    POST   /_sandbox/callbacks/drain            {"timeout"?: s} → 200 once all are delivered, 504 if not
    GET    /_sandbox/stock                      the stock entries
    PUT    /_sandbox/stock                      {"phoneNumberType", "areaCode"|"city", "available",
                                                 "country"?, "prefix"?, "region"?} add or replace
    POST   /_sandbox/faults                     {"operation"?, "status"?, "retryAfter"?, "delay"?,
                                                 "afterProcessing"?, "times"?}
    DELETE /_sandbox/faults
    POST   /_sandbox/reset                      forget requests, callbacks, faults; initial stock
    GET    /healthz                             no token needed
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hmac
import json
from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from bot.providers.cm import wire
from bot.sandbox.cm.config import StockEntry
from bot.sandbox.cm.faults import Fault
from bot.sandbox.cm.sandbox import CmSandbox, SandboxProblem

ADMIN_PREFIX = "/_sandbox"

Handler = Callable[[Request], Awaitable[Response]]

_FAULT_MESSAGES = {
    429: "Too many requests.",
    500: "An unexpected error occurred.",
    502: "Bad gateway.",
    503: "The service is temporarily unavailable.",
    504: "Gateway timeout.",
}


def message(status: int, text: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"message": text}, status_code=status, headers=headers)


async def json_object(request: Request) -> dict:
    try:
        body = json.loads(await request.body() or b"null")
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        raise SandboxProblem(400, "The request body must be a JSON object.")
    return body


def _token_ok(sandbox: CmSandbox, request: Request) -> bool:
    given = request.headers.get(wire.PRODUCT_TOKEN_HEADER, "")
    return hmac.compare_digest(given.encode(), sandbox.config.product_token.encode())


def _fault_response(fault: Fault) -> Response:
    status = fault.status or 500
    headers = {"Retry-After": f"{fault.retry_after:g}"} if fault.retry_after is not None else None
    return message(status, _FAULT_MESSAGES.get(status, "An unexpected error occurred."), headers)


def _api(sandbox: CmSandbox, operation: str, handler: Handler) -> Handler:
    """Token, account and injected faults in front of one API operation."""

    @functools.wraps(handler)
    async def endpoint(request: Request) -> Response:
        if not _token_ok(sandbox, request):
            return message(401, "The product token is missing or not valid.")
        if request.path_params["account_id"].lower() != sandbox.config.account_id.lower():
            return message(404, "No voice account with this GUID for this product token.")
        fault = sandbox.faults.take(operation)
        # Read the body first (Starlette keeps it): a slow server has received the request
        # before it takes its time, so a client that gives up does not undo it.
        await request.body()
        if fault is not None and fault.delay:
            await asyncio.sleep(fault.delay)
        if fault is not None and fault.status is not None and not fault.after_processing:
            return _fault_response(fault)
        try:
            response = await handler(request)
        except SandboxProblem as problem:
            response = message(problem.status, problem.message)
        # after_processing: the work is done but the answer is lost, as behind a failing gateway.
        return _fault_response(fault) if fault is not None and fault.status is not None else response

    return endpoint


def _admin(sandbox: CmSandbox, handler: Handler) -> Handler:
    @functools.wraps(handler)
    async def endpoint(request: Request) -> Response:
        if not _token_ok(sandbox, request):
            return message(401, "The product token is missing or not valid.")
        try:
            return await handler(request)
        except SandboxProblem as problem:
            return message(problem.status, problem.message)

    return endpoint


def _api_routes(sandbox: CmSandbox) -> list[Route]:
    async def create(request: Request) -> Response:
        created = sandbox.create(await json_object(request))
        return JSONResponse(created.as_created(), status_code=201)

    async def read(request: Request) -> Response:
        return JSONResponse(sandbox.get(request.path_params["request_id"]).to_wire())

    async def cancel(request: Request) -> Response:
        sandbox.cancel(request.path_params["request_id"])
        return Response(status_code=204)

    async def restrictions(request: Request) -> Response:
        return JSONResponse(sandbox.order_restrictions())

    async def locales(request: Request) -> Response:
        country = request.query_params.get(wire.COUNTRY_CODE_PARAM, "").strip()
        if len(country) != 2 or not country.isalpha():
            raise SandboxProblem(400, f"{wire.COUNTRY_CODE_PARAM} must be an ISO 3166-1 alpha-2 code.")
        number_type = request.query_params.get(wire.PHONE_NUMBER_TYPE_PARAM) or None
        if number_type is not None and number_type not in sandbox.config.phone_number_types:
            raise SandboxProblem(
                400, f"{wire.PHONE_NUMBER_TYPE_PARAM} must be one of {', '.join(sandbox.config.phone_number_types)}."
            )
        return JSONResponse(sandbox.locale_options(country, number_type))

    def route(path: str, operation: str, handler: Handler, method: str) -> Route:
        return Route(path, _api(sandbox, operation, handler), methods=[method])

    return [
        route(wire.NUMBER_REQUESTS_PATH, "create", create, "POST"),
        route(wire.NUMBER_REQUEST_PATH, "get", read, "GET"),
        route(wire.NUMBER_REQUEST_PATH, "cancel", cancel, "DELETE"),
        route(wire.ORDER_RESTRICTIONS_PATH, "order-restrictions", restrictions, "GET"),
        route(wire.LOCALE_OPTIONS_PATH, "locale-options", locales, "GET"),
    ]


def _reason(body: dict) -> str:
    reason = body.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise SandboxProblem(400, 'CM.com support always gives a reason: send {"reason": "..."}.')
    return reason.strip()


def _admin_routes(sandbox: CmSandbox) -> list[Route]:
    async def list_requests(request: Request) -> Response:
        status = request.query_params.get("status")
        found = [sandbox.describe(r) for r in sandbox.requests.values() if status in (None, r.status)]
        return JSONResponse({"requests": found})

    async def one_request(request: Request) -> Response:
        return JSONResponse(sandbox.describe(sandbox.get(request.path_params["request_id"])))

    async def accept(request: Request) -> Response:
        body = await json_object(request)
        numbers = body.get("numbers")
        if numbers is not None and (not isinstance(numbers, list) or not all(isinstance(n, str) for n in numbers)):
            raise SandboxProblem(400, "numbers must be a list of E.164 strings.")
        done = sandbox.accept(request.path_params["request_id"], _reason(body), numbers)
        return JSONResponse(done.to_wire())

    async def reject(request: Request) -> Response:
        body = await json_object(request)
        return JSONResponse(sandbox.reject(request.path_params["request_id"], _reason(body)).to_wire())

    async def replay(request: Request) -> Response:
        if not sandbox.replay(request.path_params["request_id"]):
            raise SandboxProblem(409, "This request has sent no callback yet (no callbackUrl?).")
        return JSONResponse({"queued": True}, status_code=202)

    async def callbacks(request: Request) -> Response:
        return JSONResponse(sandbox.callbacks.state())

    async def drain(request: Request) -> Response:
        body = await json_object(request) if await request.body() else {}
        drained = await sandbox.callbacks.drained(float(body.get("timeout", 10.0)))
        return JSONResponse({"drained": drained, **sandbox.callbacks.state()}, status_code=200 if drained else 504)

    async def stock(request: Request) -> Response:
        return JSONResponse({"stock": [entry.describe() for entry in sandbox.config.stock]})

    async def set_stock(request: Request) -> Response:
        return JSONResponse(sandbox.set_stock(_stock_entry(sandbox, await json_object(request))).describe())

    async def add_fault(request: Request) -> Response:
        body = await json_object(request)
        names = {
            "operation": "operation",
            "status": "status",
            "retryAfter": "retry_after",
            "delay": "delay",
            "afterProcessing": "after_processing",
            "times": "times",
        }
        unknown = set(body) - set(names)
        if unknown:
            raise SandboxProblem(400, f"Unknown fault fields: {', '.join(sorted(unknown))}.")
        try:
            sandbox.faults.add(Fault(**{names[k]: v for k, v in body.items()}))
        except ValueError as exc:
            raise SandboxProblem(400, str(exc)) from None
        return JSONResponse({"added": True}, status_code=201)

    async def clear_faults(request: Request) -> Response:
        sandbox.faults.clear()
        return Response(status_code=204)

    async def reset(request: Request) -> Response:
        sandbox.reset()
        return Response(status_code=204)

    routes = [
        ("/requests", list_requests, "GET"),
        ("/requests/{request_id}", one_request, "GET"),
        ("/requests/{request_id}/accept", accept, "POST"),
        ("/requests/{request_id}/reject", reject, "POST"),
        ("/requests/{request_id}/replay", replay, "POST"),
        ("/callbacks", callbacks, "GET"),
        ("/callbacks/drain", drain, "POST"),
        ("/stock", stock, "GET"),
        ("/stock", set_stock, "PUT"),
        ("/faults", add_fault, "POST"),
        ("/faults", clear_faults, "DELETE"),
        ("/reset", reset, "POST"),
    ]
    return [Route(path, _admin(sandbox, handler), methods=[method]) for path, handler, method in routes]


def _stock_entry(sandbox: CmSandbox, body: dict) -> StockEntry:
    """A stock entry from an admin body; fields not given come from the entry it replaces."""
    number_type, area_code, city = body.get("phoneNumberType"), body.get("areaCode"), body.get("city")
    if number_type not in sandbox.config.phone_number_types or not (area_code or city):
        raise SandboxProblem(400, "Send phoneNumberType and areaCode or city.")
    known = next(
        (
            e
            for e in sandbox.config.stock
            if (e.phone_number_type, e.area_code, e.city) == (number_type, area_code, city)
        ),
        None,
    )
    base = known.describe() if known else {}
    merged = {**base, **body}
    available = merged.get("available", 0)
    if not merged.get("country") or not merged.get("prefix") or not isinstance(available, int) or available < 0:
        raise SandboxProblem(400, "A new stock entry needs country, prefix and a non-negative available.")
    return StockEntry(
        merged["country"].upper(),
        number_type,
        merged["prefix"],
        available,
        area_code=area_code,
        city=city,
        region=merged.get("region"),
    )


def create_app(sandbox: CmSandbox | None = None) -> Starlette:
    sandbox = sandbox or CmSandbox()

    async def healthz(request: Request) -> Response:
        return JSONResponse({"ok": True})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        task = asyncio.create_task(sandbox.callbacks.run())
        try:
            yield
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    routes = [Route("/healthz", healthz), Mount(ADMIN_PREFIX, routes=_admin_routes(sandbox)), *_api_routes(sandbox)]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.sandbox = sandbox
    return app
