"""`resourcebot demo`: the whole product on loopback, driven as Slack and a reviewer would.

Starts the bot, the Infobip sandbox and the Slack stand-in, then plays two request lifecycles
with signed requests shaped exactly as Slack sends them, and prints each thread as a person
would read it. It checks what it shows: a step that does not happen fails the demo (exit 1).
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

import httpx

from bot.background_server import BackgroundServer
from bot.runtime import Assembled, assemble
from bot.sandbox.infobip import SandboxConfig
from bot.sandbox.slack.driver import SlackDriver
from bot.sandbox.slack.transcript import render_thread
from bot.sandbox.slack.web_api import SlackStandIn
from bot.server import create_app
from bot.settings import load_settings
from bot.store.requests import RequestRecord, list_requests

SIGNING_SECRET = "demo-signing-secret"
REQUESTER = "U0ALICE001"
CHANNEL = "C0RESOURCE"
SAMPLE_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class DemoFailed(Exception):
    pass


class Demo:
    def __init__(self, slack: SlackStandIn, driver: SlackDriver, assembled: Assembled, out: TextIO):
        self.slack = slack
        self.driver = driver
        self.assembled = assembled
        self.out = out
        self.reviewer = httpx.Client(
            base_url=f"{assembled.sandbox_server.url}/_sandbox",
            timeout=10,
            headers={"Authorization": f"App {assembled.sandbox.config.api_key}"},
        )

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def wait(self, what: str, predicate: Callable[[], Any], timeout: float = 15.0) -> Any:
        deadline = time.monotonic() + timeout
        while not (value := predicate()):
            if time.monotonic() > deadline:
                raise DemoFailed(f"timed out waiting for {what}")
            time.sleep(0.05)
        return value

    def form(self, marker: str) -> dict:
        def ready():
            view = self.slack.current_view(REQUESTER)
            return (
                view if view and view.get("callback_id") == "request_form" and marker in str(view["blocks"]) else None
            )

        return self.wait("the request form", ready)

    def submit(self, values: dict) -> None:
        response = self.driver.submit_view(values, user=REQUESTER)
        if response.errors:
            raise DemoFailed(f"the form was refused: {response.errors}")

    def newest_request(self, count: int) -> RequestRecord:
        def ready():
            requests = list_requests(self.assembled.services.db)
            return requests[0] if len(requests) >= count and requests[0].thread_ts else None

        return self.wait("the request's thread", ready)

    def thread_length(self, request: RequestRecord, count: int) -> None:
        self.wait(
            f"{count} messages in the thread",
            lambda: len(self.slack.thread(request.channel, request.thread_ts)) >= count,
        )

    def review(self, request: RequestRecord, action: str, **body: Any) -> None:
        response = self.reviewer.post(f"/resource-requests/{request.provider_request_id}/{action}", json=body)
        if response.status_code != 200:
            raise DemoFailed(f"the sandbox reviewer could not {action}: {response.text}")

    def show(self, request: RequestRecord) -> None:
        self.say("")
        self.say(render_thread(self.slack, request.channel, request.thread_ts))
        self.say("")

    def sender_request(self) -> None:
        self.say("1. Alice types `/resource sender HR` in #resources and fills the Croatian sender form.")
        self.driver.slash_command("/resource", "sender HR", user=REQUESTER, channel=CHANNEL)
        form = self.form("companyRegistrationDocument")
        consent = next(b for b in form["blocks"] if b.get("block_id") == "registrationConsent")
        document = self.slack.add_file("acme-registration-extract.pdf", "application/pdf", SAMPLE_PDF, user=REQUESTER)
        self.submit(
            {
                "senderName": "ACME",
                "companyName": "Acme d.o.o.",
                "vatNumber": "HR12345678901",
                "useCase": "Notifications",
                "expectedMonthlyMessages": "50000",
                "companyEmailAddresses": "ops@acme.example\nlegal@acme.example",
                "companyWebsite": "http://acme.example",
                "contactPhoneNumber": "+385 91 123 4567",
                "companyRegistrationDocument": [document],
                "registrationConsent": [consent["element"]["options"][0]["value"]],
            }
        )
        request = self.newest_request(1)
        self.say(f"   Submitted as {request.id}; the thread starts in #resources.")
        self.say("2. Infobip's reviewer asks for the company website over HTTPS.")
        self.review(request, "advance")
        self.review(
            request,
            "request-changes",
            feedback=[
                {
                    "key": "companyWebsite",
                    "code": "RES_REQ_FEED_FORMAT",
                    "feedback": "The website must be served over HTTPS.",
                }
            ],
        )
        self.thread_length(request, 2)
        self.say("3. Alice clicks [Update request] in the thread, fixes the website and sends the update.")
        reply = self.slack.thread(request.channel, request.thread_ts)[1]
        self.driver.block_action("request_update", request.id, user=REQUESTER, channel=CHANNEL, message_ts=reply["ts"])
        self.form("served over HTTPS")
        self.submit({"companyWebsite": "https://acme.example"})
        self.thread_length(request, 3)
        self.say("4. The review passes and the sender is registered.")
        self.review(request, "advance")
        self.review(request, "advance")
        self.review(request, "complete", note="ACME is registered with all Croatian operators.")
        self.thread_length(request, 4)
        self.wait(
            "the root message to show Completed",
            lambda: "Completed" in str(self.slack.root(request.channel, request.thread_ts)["blocks"]),
        )
        self.show(request)

    def number_request(self) -> None:
        self.say("5. Alice asks for two US 10DLC numbers in Indiana: `/resource number US TEN_DIGIT_LONG_CODE SMS 2`.")
        self.driver.slash_command("/resource", "number US TEN_DIGIT_LONG_CODE SMS 2", user=REQUESTER, channel=CHANNEL)
        self.form("npa")
        self.submit({"state": "IN", "npa": "317"})
        request = self.newest_request(2)
        self.say(f"   Submitted as {request.id}.")
        self.say("6. Infobip reviews and procures the numbers.")
        self.review(request, "advance")
        self.review(request, "advance")
        self.review(request, "complete")
        self.thread_length(request, 2)
        self.wait(
            "the root message to list the numbers",
            lambda: "*Numbers*" in str(self.slack.root(request.channel, request.thread_ts)["blocks"]),
        )
        self.show(request)


def run_demo(out: TextIO = sys.stdout) -> int:
    with tempfile.TemporaryDirectory(prefix="resourcebot-demo-") as tmp:
        slack = SlackStandIn().start()
        slack.add_channel(CHANNEL, "resources")
        bot_server = BackgroundServer()
        settings = load_settings(
            _env_file=None,
            slack_bot_token=slack.config.bot_token,
            slack_signing_secret=SIGNING_SECRET,
            slack_api_url=slack.api_url,
            resourcebot_slack_file_origins=slack.url,
            slack_app_token=None,
            infobip_base_url=None,
            infobip_api_key=None,
            infobip_webhook_username=None,
            infobip_webhook_password=None,
            resourcebot_db=Path(tmp) / "demo.sqlite3",
            resourcebot_channel=None,
        )
        assembled = assemble(
            settings, bot_url=bot_server.url, sandbox_config=SandboxConfig(lifecycle_step=None, review="manual")
        )
        bot_server.app = create_app(assembled.services)
        bot_server.limits = settings.http_limits
        bot_server.start()
        driver = SlackDriver(f"{bot_server.url}/slack/events", SIGNING_SECRET, slack)
        demo = Demo(slack, driver, assembled, out)
        demo.say(
            f"resourcebot demo: bot {bot_server.url}, Infobip sandbox {assembled.sandbox_server.url}, "
            f"Slack stand-in {slack.url}\n"
        )
        try:
            demo.sender_request()
            demo.number_request()
        except DemoFailed as error:
            demo.say(f"\nThe demo failed: {error}")
            return 1
        finally:
            demo.reviewer.close()
            driver.close()
            bot_server.stop()
            assembled.close()
            slack.stop()
        demo.say(
            "Both requests went from a slash command to a completed thread. See README.md to run the bot "
            "against your own workspace (`resourcebot serve`) or to try the sandbox alone."
        )
        return 0
