"""The sandbox's ASGI app: Infobip's paths behind auth, rate limits and faults, plus /_sandbox."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hmac
import math
from dataclasses import fields

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.providers.infobip.operations import OPERATIONS, match_operation
from bot.sandbox.infobip.errors import generic_error, new_error
from bot.sandbox.infobip.faults import Fault
from bot.sandbox.infobip.sandbox import InfobipSandbox

ADMIN_PREFIX = "/_sandbox"
OPERATION_IDS = set(OPERATIONS)


def _authorized(sandbox: InfobipSandbox, header: str) -> bool:
    scheme, _, credentials = header.partition(" ")
    config = sandbox.config
    if scheme == "App":
        return hmac.compare_digest(credentials.strip().encode(), config.api_key.encode())
    if scheme == "Basic" and config.basic_username is not None:
        try:
            user, _, password = base64.b64decode(credentials, validate=True).decode().partition(":")
        except ValueError:  # not base64, not ASCII, not UTF-8: Infobip answers 401
            return False
        return hmac.compare_digest(user.encode(), config.basic_username.encode()) and hmac.compare_digest(
            password.encode(), (config.basic_password or "").encode()
        )
    return False


class InfobipGate:
    """Auth, rate limits and injected faults, applied in front of every Infobip path."""

    def __init__(self, app: ASGIApp, sandbox: InfobipSandbox) -> None:
        self.app = app
        self.sandbox = sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] == "/healthz":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        path = scope["path"]
        if not _authorized(self.sandbox, request.headers.get("authorization", "")):
            await generic_error(path, 401)(scope, receive, send)
            return
        if path.startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        op = match_operation(scope["method"], path)
        if op is None:
            await new_error(404, "E404", f"No such operation: {scope['method']} {path}.", "Check the request path.")(
                scope, receive, send
            )
            return
        self.sandbox.calls[op.operation_id] += 1
        if self.sandbox.config.enforce_rate_limits:
            allowed, wait = self.sandbox.rate_limiter.allow(op)
            if not allowed:
                headers = {"Retry-After": str(max(1, math.ceil(wait)))}
                await generic_error(path, 429, headers)(scope, receive, send)
                return
        fault = self.sandbox.faults.take(op.operation_id)
        if fault is None:
            await self.app(scope, receive, send)
            return
        await self._apply(fault, path, scope, receive, send)

    async def _apply(self, fault: Fault, path: str, scope: Scope, receive: Receive, send: Send) -> None:
        if fault.hold:
            await self._hold(fault, path, scope, receive, send)
            return
        if fault.delay:
            # The request arrived whole; only the work (or the answer) is slow. A client that gives
            # up meanwhile does not undo it, as with Infobip behind a slow gateway.
            receive = await _buffered(receive)
            await asyncio.sleep(fault.delay)
        if fault.status is None:
            await self.app(scope, receive, send)
            return
        if fault.after_processing:
            # Do the work but lose the answer, as a gateway timeout would.
            async def discard(message: dict) -> None:
                return None

            await self.app(scope, receive, discard)
        headers = {"Retry-After": f"{fault.retry_after:g}"} if fault.retry_after is not None else None
        await generic_error(path, fault.status, headers)(scope, receive, send)

    async def _hold(self, fault: Fault, path: str, scope: Scope, receive: Receive, send: Send) -> None:
        """Wait for the release; then do the work (answering whoever still listens) or nothing."""
        receive = await _buffered(receive)
        match = match_operation(scope["method"], path)
        held = self.sandbox.holds.hold(match.operation_id if match else path)
        await held.release.wait()

        async def send_if_listening(message: dict) -> None:
            with contextlib.suppress(OSError, RuntimeError):  # the client may be long gone (killed)
                await send(message)

        if held.process:
            await self.app(scope, receive, send_if_listening)
            held.state = "answered"
        else:  # nothing was done; a client still waiting hears a gateway timeout
            held.state = "dropped"
            await generic_error(path, 504)(scope, receive, send_if_listening)


async def _buffered(receive: Receive) -> Receive:
    """Read the whole request body now; replay it to the app later."""
    messages = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body"):
            break

    async def replay() -> dict:
        return messages.pop(0) if messages else await receive()

    return replay


def _admin_routes(sandbox: InfobipSandbox) -> list:
    async def add_fault(request: Request) -> Response:
        body = await request.json()
        known = {f.name for f in fields(Fault)} - {"hits"}
        unknown = set(body) - known
        if unknown:
            return JSONResponse({"error": f"unknown fault fields: {sorted(unknown)}"}, status_code=400)
        if body.get("operation_id") is not None and body["operation_id"] not in OPERATION_IDS:
            return JSONResponse({"error": f"no operation {body['operation_id']!r}"}, status_code=400)
        sandbox.faults.add(Fault(**body))
        return JSONResponse({"faults": len(sandbox.faults._faults)}, status_code=201)

    async def clear_faults(request: Request) -> Response:
        sandbox.faults.clear()
        return Response(status_code=204)

    async def list_holds(request: Request) -> Response:
        return JSONResponse({"holds": [call.describe() for call in sandbox.holds.calls]})

    async def release_hold(request: Request) -> Response:
        held = sandbox.holds.get(int(request.path_params["call_id"]))
        if held is None:
            return JSONResponse({"error": "no such held call"}, status_code=404)
        if held.release.is_set():
            return JSONResponse({"error": f"already released ({held.state})"}, status_code=409)
        body = await request.json() if await request.body() else {}
        held.process = bool(body.get("process", True))
        held.release.set()
        return JSONResponse(held.describe())

    async def call_counts(request: Request) -> Response:
        return JSONResponse({"calls": dict(sandbox.calls)})

    routes = [
        Route("/faults", add_fault, methods=["POST"]),
        Route("/faults", clear_faults, methods=["DELETE"]),
        Route("/holds", list_holds),
        Route("/holds/{call_id:int}/release", release_hold, methods=["POST"]),
        Route("/calls", call_counts),
    ]
    for part in sandbox.parts:
        routes.extend(part.admin_routes())
    return routes


def create_app(sandbox: InfobipSandbox) -> Starlette:
    async def healthz(request: Request) -> Response:
        return JSONResponse({"ok": True})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        tasks = [asyncio.create_task(part.run()) for part in sandbox.parts]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    routes = [Route("/healthz", healthz), Mount(ADMIN_PREFIX, routes=_admin_routes(sandbox))]
    for part in sandbox.parts:
        routes.extend(part.routes())
    app = Starlette(routes=routes, lifespan=lifespan)
    app.add_middleware(InfobipGate, sandbox=sandbox)
    app.state.sandbox = sandbox
    return app
