"""What every request to the bot may cost, enforced before the app sees it.

The bot's routes face the internet. So:
- a body is read here, counted as it arrives: a declared Content-Length over the route's limit is
  refused at once (413) without reading, a streamed one is cut off when it passes the limit, and
  one that takes longer than `body_seconds` to arrive is refused (408). The app gets it whole.
- a Slack request that carries no signature headers is refused (401) before its body is read:
  anyone may send one, and only signed ones are worth reading.
- a connection whose request headers do not arrive within `header_seconds` is closed (the
  protocol below), so slow clients cannot hold connections open; uvicorn caps how many there are.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

SLACK_PATH = "/slack/events"
WEBHOOK_PREFIX = "/webhooks/"


@dataclass(frozen=True)
class Limits:
    slack_body: int = 2 * 1024 * 1024  # a 100-block modal's full state fits several times over
    webhook_body: int = 256 * 1024  # Infobip's and CM.com's callbacks are a few kB
    other_body: int = 16 * 1024  # the rest take none
    body_seconds: float = 10.0
    header_seconds: float = 10.0
    connections: int = 1000

    def body_limit(self, path: str) -> int:
        if path == SLACK_PATH:
            return self.slack_body
        if path.startswith(WEBHOOK_PREFIX):
            return self.webhook_body
        return self.other_body


async def _refuse(send: Send, status: int, reason: str) -> None:
    body = json.dumps({"error": reason}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class _Refused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


class BodyGuard:
    """ASGI middleware: the body read within its limits (see the module docstring), then replayed."""

    def __init__(self, app: ASGIApp, limits: Limits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            body = await self._read(scope, receive)
        except _Refused as refused:
            await _refuse(send, refused.status, refused.reason)
            return
        if body is None:
            return  # the client went away
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: only a disconnect can come

        await self.app(scope, replay, send)

    async def _read(self, scope: Scope, receive: Receive) -> bytes | None:
        path = scope.get("path", "")
        limit = self.limits.body_limit(path)
        headers = {name: value for name, value in scope.get("headers", [])}
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                length = int(declared)
            except ValueError:
                raise _Refused(400, "Content-Length is not a number") from None
            if length > limit:
                raise _Refused(413, f"body too large: at most {limit} bytes here")
        if path == SLACK_PATH and not (headers.get(b"x-slack-signature") and headers.get(b"x-slack-request-timestamp")):
            raise _Refused(401, "invalid request")
        chunks: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(self.limits.body_seconds):  # one timer for the whole body
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return None
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > limit:
                        raise _Refused(413, f"body too large: at most {limit} bytes here")
                    chunks.append(chunk)
                    if not message.get("more_body"):
                        return b"".join(chunks)
        except TimeoutError:
            raise _Refused(408, f"the body did not arrive within {self.limits.body_seconds:g} s") from None


def guarded_protocol(header_seconds: float) -> type[H11Protocol]:
    """uvicorn's h11 protocol, closing a connection whose request headers are not in within
    `header_seconds` of the connection (or of the end of the previous response)."""

    class GuardedH11Protocol(H11Protocol):
        _header_timer: asyncio.TimerHandle | None = None

        def _arm(self) -> None:
            if self._header_timer is None:
                self._header_timer = self.loop.call_later(header_seconds, self._headers_too_slow)

        def _disarm(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _headers_too_slow(self) -> None:
            self._header_timer = None
            if self.cycle is None or self.cycle.response_complete:
                self.transport.close()

        def connection_made(self, transport: Any) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def data_received(self, data: bytes) -> None:
            if self.cycle is None or self.cycle.response_complete:
                self._arm()  # the next request's headers are arriving
            super().data_received(data)

        def handle_events(self) -> None:
            super().handle_events()
            if self.cycle is not None and not self.cycle.response_complete:
                self._disarm()  # its headers are in: the body has its own deadline (BodyGuard)

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

    return GuardedH11Protocol


def uvicorn_options(limits: Limits) -> dict[str, Any]:
    """The uvicorn.Config arguments that bound connections."""
    return {
        "http": guarded_protocol(limits.header_seconds),
        "limit_concurrency": limits.connections,
        "timeout_keep_alive": 5,
        "h11_max_incomplete_event_size": 16 * 1024,
    }
