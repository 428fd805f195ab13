"""The whole bot on loopback: the bot's HTTP server, the Infobip sandbox and the Slack stand-in,
each a real server on port 0, driven by requests shaped exactly as Slack sends them: signed HTTP
by default, or Socket Mode envelopes for a module marked `pytestmark = BOTH_TRANSPORTS`.
The `world` fixture (tests/conftest.py) hands a test one `World`."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.background_server import BackgroundServer
from bot.providers.infobip import Pacer
from bot.runtime import assemble
from bot.sandbox.cm import CmSandbox, CmSandboxConfig
from bot.sandbox.cm import create_app as create_cm_app
from bot.sandbox.infobip import InfobipSandbox, SandboxConfig
from bot.sandbox.slack.driver import HTTP, SOCKET_MODE, SlackDriver
from bot.sandbox.slack.web_api import SlackStandIn
from bot.server import create_app
from bot.services import Services
from bot.settings import load_settings
from bot.store.outbox import pending_count
from bot.store.requests import RequestRecord, get_request, list_requests
from tests.support.names import ADMIN, ALICE, CHANNEL, CM_PROFILES, SIGNING_SECRET
from tests.support.waiting import wait_until

# A module's tests run once over each of Slack's transports: `pytestmark = BOTH_TRANSPORTS`
# (the world's parameter is its transport; HTTP when not parametrized).
BOTH_TRANSPORTS = pytest.mark.parametrize("world", [HTTP, SOCKET_MODE], indirect=True)
SOCKET_MODE_ONLY = pytest.mark.parametrize("world", [SOCKET_MODE], indirect=True)


@dataclass
class World:
    slack: SlackStandIn
    driver: SlackDriver
    sandbox: InfobipSandbox
    sandbox_url: str
    sandbox_admin: httpx.Client
    bot_url: str
    services: Services
    cm_admin: httpx.Client | None = None  # the CM.com stand-in's /_sandbox, when the test has CM.com
    transport: str = HTTP  # how Slack reaches the bot: signed HTTP, or Socket Mode

    def wait(self, predicate: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
        return wait_until(predicate, timeout, what)

    def view(
        self, user: str = ALICE, callback_id: str | None = None, contains: str | None = None, timeout: float = 10.0
    ) -> dict:
        """The user's top modal, once it is the one wanted."""

        def ready():
            view = self.slack.current_view(user)
            if not view or (callback_id and view.get("callback_id") != callback_id):
                return None
            if contains and contains not in str(view.get("blocks")):
                return None
            return view

        return self.wait(
            ready,
            timeout,
            what=f"a {callback_id or 'modal'} view for {user}" + (f" saying {contains!r}" if contains else ""),
        )

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

    # ---- added for the acceptance tests

    def request(self, request_id: str) -> RequestRecord:
        found = get_request(self.services.db, request_id)
        assert found is not None, f"no request {request_id}"
        return found

    def root_text(self, request: RequestRecord) -> str:
        request = self.request(request.id)
        return block_text(self.slack.root(request.channel, request.thread_ts))

    def wait_idle(self, timeout: float = 15.0) -> None:
        """Until the bot's outbox has nothing left to deliver."""
        self.wait(lambda: pending_count(self.services.db) == 0, timeout, what="the outbox to be empty")

    def new_request(
        self, text: str, values: dict | None = None, *, user: str = ALICE, channel: str = CHANNEL
    ) -> RequestRecord:
        """`/resource <text>`, the form filled with `values` and submitted; returns the stored request
        once its root message is in the channel."""
        before = {r.id for r in self.requests()}
        ack = self.driver.slash_command("/resource", text, user=user, channel=channel)
        assert ack.status == 200 and ack.in_time
        self.view(user, callback_id="request_form")
        submitted = self.driver.submit_view(values or {}, user=user)
        assert submitted.status == 200 and not submitted.errors, submitted.errors
        self.view(user, contains="submitted")
        self.slack.close_views(user, clear=True)  # the person closes the "submitted" modal
        request = next(r for r in self.requests() if r.id not in before)
        self.wait_thread(request.id, 1)
        return self.request(request.id)

    def post_webhook(self, body: Any, *, credentials: tuple[str, str] | None | str = "valid") -> httpx.Response:
        """POST to the bot's /webhooks/infobip: a dict is sent as JSON, bytes as they are.
        credentials: "valid" (the services' pair), None (no Authorization header) or (user, password)."""
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        pair = self.services.webhook_credentials if credentials == "valid" else credentials
        if pair is not None:
            headers["Authorization"] = "Basic " + base64.b64encode(f"{pair[0]}:{pair[1]}".encode()).decode()
        return httpx.post(self.bot_url + "/webhooks/infobip", content=raw, headers=headers, timeout=10)

    def table_counts(self) -> dict[str, int]:
        db = self.services.db
        return {
            table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("events", "outbox", "requests")
        }

    def sandbox_request(self, request: RequestRecord) -> dict:
        response = self.sandbox_admin.get(f"/resource-requests/{request.provider_request_id}")
        assert response.status_code == 200, response.text
        return response.json()

    def sandbox_fault(self, **fault: Any) -> None:
        response = self.sandbox_admin.post("/faults", json=fault)
        assert response.status_code == 201, response.text

    def ask_for_changes(self, request: RequestRecord, key: str, feedback: str = "Please check this.") -> RequestRecord:
        """The reviewer asks for changes; returns the request once its thread shows it."""
        count = len(self.thread(self.request(request.id)))
        self.reviewer(
            request, "request-changes", feedback=[{"key": key, "code": "RES_REQ_FEED_OTHER", "feedback": feedback}]
        )
        self.wait_thread(request.id, count + 1)
        self.wait_idle()
        return self.request(request.id)


def block_text(message: dict | None) -> str:
    return str((message or {}).get("blocks") or (message or {}).get("text"))


def _ready(url: str) -> bool:
    try:
        return httpx.get(url + "/readyz", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


@contextmanager
def open_world(tmp_path: Path, transport: str = HTTP, **settings_overrides: Any) -> Iterator[World]:
    """`settings_overrides` (from `@pytest.mark.world(setting=value, ...)`) override the bot's
    settings; the reconciler is off unless a test turns it on, so threads hold only what a test caused.
    In Socket Mode the bot has an app token and no signing secret (none is needed), and the world
    is handed over once the bot's connection is open."""
    overrides = {"resourcebot_reconcile_seconds": 0, **settings_overrides}
    reminder_tick = overrides.pop("reminder_tick_seconds", 60.0)
    infobip_timeout = overrides.pop("infobip_timeout", None)  # seconds; the client's default is 30
    cm_server = None
    if overrides.pop("cm", False):  # CM.com configured, pointing at its stand-in
        cm_sandbox = CmSandbox(CmSandboxConfig(callback_backoff=0.1))
        cm_server = BackgroundServer(create_cm_app(cm_sandbox)).start()
        overrides.update(
            cm_base_url=cm_server.url,
            cm_product_token=cm_sandbox.config.product_token,
            cm_account_id=cm_sandbox.config.account_id,
            cm_company_profiles=CM_PROFILES,
        )
    slack = SlackStandIn().start()
    slack.add_channel(CHANNEL, "resources")
    slack.add_user(ADMIN, "ada", real_name="Ada Admin")
    bot_server = BackgroundServer()
    settings = load_settings(
        _env_file=None,
        slack_bot_token=slack.config.bot_token,
        slack_signing_secret=SIGNING_SECRET if transport == HTTP else None,
        slack_api_url=slack.api_url,
        # Attached files come from the stand-in (and any origin a test adds).
        resourcebot_slack_file_origins=",".join(
            [slack.url, *filter(None, [overrides.pop("resourcebot_slack_file_origins", None)])]
        ),
        slack_app_token=slack.config.app_token if transport == SOCKET_MODE else None,
        infobip_base_url=None,
        infobip_api_key=None,
        resourcebot_db=tmp_path / "bot.sqlite3",
        resourcebot_admins=ADMIN,
        resourcebot_channel=None,
        **overrides,
    )
    # The sandbox enforces Infobip's rate limits 50× faster; the client paces itself a bit slower
    # than that (provisioning is documented at 1 call/s, which would make tests crawl).
    assembled = assemble(
        settings,
        bot_url=bot_server.url,
        sandbox_config=SandboxConfig(lifecycle_step=None, review="manual", rate_limit_speedup=50.0),
        infobip_options={"pacer": Pacer(speedup=40.0), **({"timeout": infobip_timeout} if infobip_timeout else {})},
    )
    assembled.services.reminder_tick_seconds = reminder_tick
    bot_server.app = create_app(assembled.services)
    bot_server.limits = settings.http_limits
    bot_server.start()
    sandbox_admin = httpx.Client(
        base_url=assembled.sandbox_server.url + "/_sandbox",
        headers={"Authorization": f"App {assembled.sandbox.config.api_key}"},
        timeout=10,
    )
    driver = (
        SlackDriver.over_socket_mode(slack)
        if transport == SOCKET_MODE
        else SlackDriver(bot_server.url + "/slack/events", SIGNING_SECRET, slack)
    )
    try:
        if transport == SOCKET_MODE:
            slack.socket_mode.wait_for_connection(timeout=10)
        # As a load balancer would: no traffic before /readyz says the store (a child process,
        # started in the background) answers, so a loaded machine's slow start is not a test's "busy".
        wait_until(lambda: _ready(bot_server.url), 30, "the bot's /readyz")
        world = World(
            slack,
            driver,
            assembled.sandbox,
            assembled.sandbox_server.url,
            sandbox_admin,
            bot_server.url,
            assembled.services,
            transport=transport,
        )
        if cm_server:
            world.cm_admin = httpx.Client(
                base_url=cm_server.url + "/_sandbox",
                timeout=10,
                headers={"X-CM-PRODUCTTOKEN": cm_sandbox.config.product_token},
            )
        yield world
    finally:
        if cm_server:
            cm_server.stop()
        driver.close()
        sandbox_admin.close()
        bot_server.stop()
        assembled.close()
        slack.stop()
