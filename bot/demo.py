"""`resourcebot demo`: the whole product on loopback, driven as Slack and a reviewer would.

Starts the bot, the Infobip sandbox and the Slack stand-in, then plays two request lifecycles (the
first saved as company profile Acme), a purchase that waits for a second person's approval, and one
form for two countries filled from that profile (a request and thread each, its document reused,
one summary), with signed requests shaped exactly as Slack sends them, and prints each thread as a
person would read it. It checks what it shows: a step that does not happen fails the
demo (exit 1).
"""

from __future__ import annotations

import re
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
from bot.sandbox.slack.transcript import render_thread, render_view
from bot.sandbox.slack.web_api import SlackStandIn
from bot.server import create_app
from bot.settings import load_settings
from bot.store.profiles import list_profiles
from bot.store.requests import RequestRecord, list_requests

SIGNING_SECRET = "demo-signing-secret"
REQUESTER = "U0ALICE001"
APPROVER = "U0BOB00001"  # decides on purchases (RESOURCEBOT_APPROVERS)
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

    def completed(self, request: RequestRecord, replies: int, shown: str, **completion: Any) -> None:
        """The reviewer passes the request and completes it; its thread is printed once it has
        `replies` messages and its root shows `shown`."""
        self.review(request, "advance")
        self.review(request, "advance")
        self.review(request, "complete", **completion)
        self.thread_length(request, replies)
        self.wait(
            f"the root message to show {shown}",
            lambda: shown in str(self.slack.root(request.channel, request.thread_ts)["blocks"]),
        )
        self.show(request)

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
        submitted = self.wait("the submission's confirmation", lambda: self._view(REQUESTER, None, "Save as a profile"))
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
        self.completed(request, 4, "Completed", note="ACME is registered with all Croatian operators.")
        self.say("   Alice clicks [Save as a profile] under her submission and names it Acme: values and document.")
        self.driver.block_action("profile_save_new", user=REQUESTER, view_id=submitted["id"])
        self.wait("the profile's save view", lambda: self._view(REQUESTER, "profile_save", "profile_name"))
        self.submit({"profile_name": "Acme"})
        saved = self.wait("the profile saved", lambda: self._view(REQUESTER, None, "Saved profile"))
        self.say("   " + _first_line(saved, "Saved profile"))
        self.slack.close_views(REQUESTER, clear=True)

    def number_request(self) -> None:
        self.say("5. Alice asks for two US 10DLC numbers in Indiana: `/resource number US TEN_DIGIT_LONG_CODE SMS 2`.")
        self.driver.slash_command("/resource", "number US TEN_DIGIT_LONG_CODE SMS 2", user=REQUESTER, channel=CHANNEL)
        self.form("npa")
        self.submit({"state": "IN", "npa": "317"})
        request = self.newest_request(2)
        self.say(f"   Submitted as {request.id}.")
        self.say("6. Infobip reviews and procures the numbers.")
        self.completed(request, 2, "*Numbers*")

    def approved_purchase(self) -> None:
        self.say("7. Alice looks for a UK number to buy: `/resource numbers GB SMS`, and clicks [Buy] on the first.")
        self.driver.slash_command("/resource", "numbers GB SMS", user=REQUESTER, channel=CHANNEL)
        search = self.wait("the numbers on offer", lambda: self._view(REQUESTER, "numbers_search", "Numbers on offer"))
        offer = next(b for b in search["blocks"] if str(b.get("block_id", "")).startswith("offer:"))
        self.driver.block_action("number_buy", user=REQUESTER, block_id=offer["block_id"])
        confirm = self.wait("the Buy confirmation", lambda: self._view(REQUESTER, "number_buy_confirm", "decide"))
        self.say("   Purchases need an approval: the confirmation says who decides, and asks why.")
        self.say("")
        self.say(_indented(render_view(confirm, self.slack.user_name)))
        self.submit({"reason": "Support line for the UK launch"})
        self.wait("the purchase to wait for approval", lambda: self._view(REQUESTER, None, "waits for approval"))
        self.say("8. Bob, an approver, gets the request by DM: who asks for what, where, why, and the cost.")
        dm = self.slack.dm_channel(APPROVER)
        request = self.wait(
            "the approval request in Bob's DM",
            lambda: next((m for m in self.slack.messages(dm) if "approval_approve" in str(m.get("blocks"))), None),
        )
        self.show_message(dm, request["ts"])
        self.say("9. Bob clicks [Approve]: the number is bought, once, and everyone sees who approved it.")
        self.driver.block_action("approval_approve", user=APPROVER, channel=dm, message_ts=request["ts"])
        self.wait(
            "the approval request to say who approved",
            lambda: "Approved by" in str(self.slack.message(dm, request["ts"])["blocks"]),
        )
        self.show_message(dm, request["ts"])
        announced = self.wait(
            "the purchase announced in #resources as approved",
            lambda: next(
                (m for m in self.slack.messages(CHANNEL) if "Approved by" in str(m.get("blocks"))),
                None,
            ),
        )
        self.show_message(CHANNEL, announced["ts"])
        alice_dm = self.slack.dm_channel(REQUESTER)
        told = self.wait(
            "Alice told the purchase went through",
            lambda: next((m for m in self.slack.messages(alice_dm) if "went through" in str(m.get("blocks"))), None),
        )
        self.show_message(alice_dm, told["ts"])

    def several_countries(self) -> None:
        self.say("10. Alice registers ACME in Serbia and Slovenia at once: `/resource sender RS,SI`.")
        self.driver.slash_command("/resource", "sender RS,SI", user=REQUESTER, channel=CHANNEL)
        form = self.wait(
            "the form for both countries", lambda: self._view(REQUESTER, "multi_request_form", "registrationConsent")
        )
        asked = [b["block_id"] for b in form["blocks"] if b.get("type") == "input"]
        self.say("    One form: what both countries ask the same is asked once, the rest per country:")
        self.say("    " + ", ".join(f"`{block_id}`" for block_id in asked))
        profile = next(p for p in list_profiles(self.assembled.services.db) if p.name == "Acme")
        self.say("    Alice picks her profile Acme at the top of the form:")
        self.driver.block_action("multi_profile_pick", profile.id, user=REQUESTER)
        filled = self.wait("the form filled from Acme", lambda: self._view(REQUESTER, "multi_request_form", "Filled "))
        self.say("    " + _first_line(filled, "Filled "))
        for country in ("RS", "SI"):
            hint = next(b for b in filled["blocks"] if b.get("block_id") == f"{country}:companyRegistrationDocument")
            using = hint["hint"]["text"].split(" Attach another")[0]
            self.say(f"    `{country}:companyRegistrationDocument`: {using}")
        self.say("    She types the sender name and each country's own VAT number (Croatia's fits neither):")
        values: dict[str, Any] = {"senderName": "ACME", "RS:vatNumber": "123456789", "SI:vatNumber": "SI12345678"}
        uploads = self._uploads()
        self.submit({key: value for key, value in values.items() if key in asked})
        self.wait("both requests filed", lambda: self._view(REQUESTER, None, "requests were submitted"))
        requests = [r for r in list_requests(self.assembled.services.db) if r.country in ("RS", "SI")]
        if len(requests) != 2:
            raise DemoFailed(f"expected a request for RS and one for SI, found {len(requests)}")
        if self._uploads() != uploads:
            raise DemoFailed("the profile's document was uploaded again")
        self.say("    Both requests reuse Acme's registration extract by its documentId: nothing uploaded again.")
        self.say("11. One request and one thread per country, and one summary in #resources kept up to date.")
        for request in requests:
            self.wait(f"the thread of {request.country}", lambda r=request: self._request(r.id).thread_ts)
            self.completed(self._request(request.id), 2, "Completed")
        summary = self.wait(
            "the summary to show both completed",
            lambda: next(
                (
                    m
                    for m in self.slack.messages(CHANNEL)
                    if "countries: one request" in str(m.get("blocks")) and str(m.get("blocks")).count("Completed") >= 2
                ),
                None,
            ),
        )
        self.show_message(CHANNEL, summary["ts"])

    def _uploads(self) -> int:
        """How many documents were uploaded to the sandbox (no call is answered 429 in the demo)."""
        return int(self.reviewer.get("/calls").json()["calls"].get("upload-document", 0))

    def _request(self, request_id: str) -> RequestRecord:
        found = next((r for r in list_requests(self.assembled.services.db) if r.id == request_id), None)
        if found is None:
            raise DemoFailed(f"request {request_id} is gone")
        return found

    def _view(self, user: str, callback_id: str | None, marker: str) -> dict | None:
        view = self.slack.current_view(user)
        if view and callback_id in (None, view.get("callback_id")) and marker in str(view["blocks"]):
            return view
        return None

    def show_message(self, channel: str, ts: str) -> None:
        self.say("")
        self.say(render_thread(self.slack, channel, ts))


def _first_line(view: dict, marker: str) -> str:
    """The first text of `view`'s blocks (a section's, a context's) that holds `marker`, as plain words."""
    for block in view["blocks"]:
        texts = [block.get("text") or {}, *(block.get("elements") or [])]
        for text in (str(t.get("text") or "") for t in texts if isinstance(t, dict)):
            if marker in text:
                return re.sub(r":[a-z_]+: ", "", text).replace("*", "")
    raise DemoFailed(f"no {marker!r} in the view")


def _indented(text: str) -> str:
    return "\n".join(f"    {line}".rstrip() for line in text.splitlines())


def run_demo(out: TextIO = sys.stdout) -> int:
    with tempfile.TemporaryDirectory(prefix="resourcebot-demo-") as tmp:
        slack = SlackStandIn().start()
        slack.add_channel(CHANNEL, "resources")
        slack.add_user(REQUESTER, "alice", real_name="Alice Requester")
        slack.add_user(APPROVER, "bob", real_name="Bob Approver")
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
            # Alice buys numbers; purchases (only: the requests stay as they are) wait for Bob's approval.
            resourcebot_number_managers=REQUESTER,
            resourcebot_approvers=APPROVER,
            resourcebot_approval_channel=None,
            resourcebot_approval_for="purchase",
            resourcebot_approval_free_below=0,
            resourcebot_profile_managers=REQUESTER,  # she saves what she sent as a company profile
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
            demo.approved_purchase()
            demo.several_countries()
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
            "Every request went from a slash command to a completed thread (two countries from one form filled "
            "from profile Acme, with one summary), and the purchase waited for Bob's approval before it was "
            "bought. See README.md to run the bot against your own workspace (`resourcebot serve`) or to try "
            "the sandbox alone."
        )
        return 0
