"""A real HTTP endpoint that records the webhooks (Infobip's, CM.com's callbacks) it is sent."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.background_server import BackgroundServer
from tests.support.waiting import wait_until


@dataclass
class WebhookReceiver:
    """Records each POST (path, headers, JSON body); answers 503 to the next `fail_next`."""

    url: str = ""
    received: list[dict] = field(default_factory=list)
    fail_next: int = 0

    def wait_for(self, count: int, timeout: float = 10.0) -> list[dict]:
        wait_until(lambda: len(self.received) >= count, timeout, what=f"{count} webhook calls")
        return self.received

    def reset(self) -> None:
        """Forget what came and fail nothing: a receiver shared by a module's tests."""
        self.received.clear()
        self.fail_next = 0


@contextmanager
def running_webhook_receiver(path: str = "") -> Iterator[WebhookReceiver]:
    """A receiver on loopback, any path accepted; its `url` is the server's followed by `path`."""
    receiver = WebhookReceiver()

    async def receive(request: Request) -> Response:
        if receiver.fail_next > 0:
            receiver.fail_next -= 1
            return Response("try later", status_code=503)
        receiver.received.append(
            {
                "path": request.url.path,
                "headers": dict(request.headers),
                "json": await request.json(),
            }
        )
        return JSONResponse({"ok": True})

    with BackgroundServer(Starlette(routes=[Route("/{path:path}", receive, methods=["POST"])])) as server:
        receiver.url = server.url + path
        yield receiver
