"""Shared fixtures: real servers on loopback (port 0), a contract recorder, a webhook receiver."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.background_server import BackgroundServer
from bot.sandbox.infobip import InfobipSandbox, SandboxConfig, create_app
from tests.support.contract import ContractRecorder

SANDBOX_KEY = "test-api-key-0123456789"


@dataclass
class RunningSandbox:
    sandbox: InfobipSandbox
    url: str
    api_key: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"App {self.api_key}"}


@pytest.fixture
def start_sandbox() -> Iterator[Callable[..., RunningSandbox]]:
    """Start an Infobip sandbox; keyword arguments override SandboxConfig fields.

    Defaults suit tests: no automatic lifecycle steps (tests drive the reviewer), rate limits
    enforced but 50x faster than the real ones.
    """
    servers: list[BackgroundServer] = []

    def start(**overrides) -> RunningSandbox:
        settings = {"api_key": SANDBOX_KEY, "lifecycle_step": None, "rate_limit_speedup": 50.0, **overrides}
        sandbox = InfobipSandbox(SandboxConfig(**settings))
        server = BackgroundServer(create_app(sandbox)).start()
        servers.append(server)
        return RunningSandbox(sandbox, server.url, settings["api_key"])

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def contract() -> ContractRecorder:
    return ContractRecorder()


@dataclass
class WebhookReceiver:
    """A real HTTP endpoint that records what it is sent; it can fail its first N calls."""

    url: str = ""
    received: list[dict] = field(default_factory=list)
    fail_next: int = 0
    _arrived: asyncio.Event | None = None

    def wait_for(self, count: int, timeout: float = 10.0) -> list[dict]:
        import time

        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} webhook calls, got {len(self.received)}")
            time.sleep(0.02)
        return self.received


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()

    async def receive(request: Request) -> Response:
        if receiver.fail_next > 0:
            receiver.fail_next -= 1
            return Response("try later", status_code=503)
        receiver.received.append({
            "path": request.url.path,
            "headers": dict(request.headers),
            "json": await request.json(),
        })
        return JSONResponse({"ok": True})

    app = Starlette(routes=[Route("/{path:path}", receive, methods=["POST"])])
    with BackgroundServer(app) as server:
        receiver.url = server.url + "/webhooks/infobip"
        yield receiver


class _ErrorRecords(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def no_error_logs(request: pytest.FixtureRequest) -> Iterator[None]:
    """An end-to-end test fails on any ERROR the bot (or Bolt, or a stand-in) logs: an error a
    user would meet must not pass because the visible outcome happened to look right. A test that
    provokes one on purpose says so with `@pytest.mark.allow_error_logs("why")`."""
    if "e2e" not in request.node.path.parts or request.node.get_closest_marker("allow_error_logs"):
        yield
        return
    handler = _ErrorRecords()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield
    finally:
        root.removeHandler(handler)
    if handler.records:
        lines = [f"{r.levelname} {r.name}: {r.getMessage()}" + (f"\n{logging.Formatter().formatException(r.exc_info)}"
                                                                 if r.exc_info else "") for r in handler.records]
        pytest.fail("ERROR logged during the test:\n" + "\n".join(lines), pytrace=False)
