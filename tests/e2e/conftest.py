"""The whole bot on loopback: the bot's HTTP server, the Infobip sandbox and the Slack stand-in,
each a real server on port 0, driven by signed requests shaped exactly as Slack sends them."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from bot.background_server import BackgroundServer
from bot.runtime import assemble
from bot.sandbox.infobip import InfobipSandbox, SandboxConfig
from bot.sandbox.slack.driver import SlackDriver
from bot.sandbox.slack.web_api import SlackStandIn
from bot.server import create_app
from bot.services import Services
from bot.settings import load_settings
from bot.store.requests import RequestRecord, list_requests

SIGNING_SECRET = "e2e-signing-secret-not-a-real-one"
ALICE = "U0ALICE001"      # makes requests
BOB = "U0BOB00001"        # a colleague: may look, may not act
ADMIN = "U0ADMIN001"      # in RESOURCEBOT_ADMINS
CHANNEL = "C0RESOURCE"


@dataclass
class World:
    slack: SlackStandIn
    driver: SlackDriver
    sandbox: InfobipSandbox
    sandbox_url: str
    sandbox_admin: httpx.Client
    bot_url: str
    services: Services

    def wait(self, predicate: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            time.sleep(0.02)

    def view(self, user: str = ALICE, callback_id: str | None = None, contains: str | None = None) -> dict:
        """The user's top modal, once it is the one wanted."""
        def ready():
            view = self.slack.current_view(user)
            if not view or (callback_id and view.get("callback_id") != callback_id):
                return None
            if contains and contains not in str(view.get("blocks")):
                return None
            return view
        return self.wait(ready, what=f"a {callback_id or 'modal'} view for {user}" + (f" saying {contains!r}" if contains else ""))

    def requests(self) -> list[RequestRecord]:
        return list_requests(self.services.db)

    def thread(self, request: RequestRecord) -> list[dict]:
        return self.slack.thread(request.channel, request.thread_ts)

    def thread_text(self, request: RequestRecord) -> str:
        return "\n".join(str(m.get("blocks") or m.get("text")) for m in self.thread(request))

    def wait_thread(self, request_id: str, count: int, timeout: float = 15.0) -> list[dict]:
        """The thread once it holds `count` messages (root included) and the outbox is empty."""
        def ready():
            request = next((r for r in self.requests() if r.id == request_id), None)
            if not request or not request.thread_ts:
                return None
            thread = self.thread(request)
            return thread if len(thread) >= count else None
        return self.wait(ready, timeout, what=f"{count} messages in the thread of {request_id}")

    def reviewer(self, request: RequestRecord, action: str, **body: Any) -> dict:
        response = self.sandbox_admin.post(f"/resource-requests/{request.provider_request_id}/{action}", json=body)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def world(tmp_path) -> Iterator[World]:
    slack = SlackStandIn().start()
    slack.add_channel(CHANNEL, "resources")
    slack.add_user(ADMIN, "ada", real_name="Ada Admin")
    bot_server = BackgroundServer()
    settings = load_settings(
        _env_file=None,
        slack_bot_token=slack.config.bot_token,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.api_url,
        slack_app_token=None,
        infobip_base_url=None,
        infobip_api_key=None,
        resourcebot_db=tmp_path / "bot.sqlite3",
        resourcebot_admins=ADMIN,
        resourcebot_channel=None,
    )
    assembled = assemble(settings, bot_url=bot_server.url,
                         sandbox_config=SandboxConfig(lifecycle_step=None, review="manual", rate_limit_speedup=50.0))
    bot_server.app = create_app(assembled.services)
    bot_server.start()
    sandbox_admin = httpx.Client(base_url=assembled.sandbox_server.url + "/_sandbox",
                                 headers={"Authorization": f"App {assembled.sandbox.config.api_key}"}, timeout=10)
    driver = SlackDriver(bot_server.url + "/slack/events", SIGNING_SECRET, slack)
    try:
        yield World(slack, driver, assembled.sandbox, assembled.sandbox_server.url, sandbox_admin, bot_server.url,
                    assembled.services)
    finally:
        driver.close()
        sandbox_admin.close()
        bot_server.stop()
        assembled.stop_sandbox()
        slack.stop()
