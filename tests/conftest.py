"""Shared fixtures: real servers on loopback (port 0), a contract recorder, a webhook receiver, the
assembled e2e world."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from bot.background_server import BackgroundServer
from bot.sandbox.infobip import InfobipSandbox, SandboxConfig, create_app
from bot.sandbox.slack.driver import HTTP
from tests.support.contract import ContractRecorder
from tests.support.webhook_receiver import WebhookReceiver, running_webhook_receiver

if TYPE_CHECKING:
    from tests.support.world import World

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


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    with running_webhook_receiver("/webhooks/infobip") as receiver:
        yield receiver


@pytest.fixture(scope="module")
def callback_receiver() -> Iterator[WebhookReceiver]:
    """Where CM.com callbacks go: one for a module (servers are slow to stop), each test resets it."""
    with running_webhook_receiver() as receiver:
        yield receiver


@pytest.fixture
def world(tmp_path, request) -> Iterator[World]:
    """The assembled bot (tests/support/world.py). `@pytest.mark.world(setting=value, ...)`
    overrides the bot's settings for one test; the transport is the fixture's parameter (see
    BOTH_TRANSPORTS), signed HTTP when not parametrized. Here rather than under tests/e2e/
    because the drills use it too."""
    from tests.support.world import open_world  # here: only the tests that use it load the whole bot

    marker = request.node.get_closest_marker("world")
    with open_world(tmp_path, getattr(request, "param", HTTP), **(marker.kwargs if marker else {})) as world:
        yield world


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
        lines = [
            f"{r.levelname} {r.name}: {r.getMessage()}"
            + (f"\n{logging.Formatter().formatException(r.exc_info)}" if r.exc_info else "")
            for r in handler.records
        ]
        pytest.fail("ERROR logged during the test:\n" + "\n".join(lines), pytrace=False)
