"""Drill: `kill -9` the bot in the middle of each change it makes at Infobip, restart it on the
same database, and see that it finishes what the person should have seen, exactly once.

Kill points, placed rather than timed (the sandbox holds the call until the drill releases it):
- `not-sent`: the intent is committed and the call is held; the bot dies; the sandbox drops the
  call unprocessed. For the bot this is the same as dying before sending it: Infobip has nothing.
- `held`: the same, but the sandbox then processes the call: Infobip made the change; the bot
  never heard.
- `answered`: the call is answered while another process holds the database's write lock, so the
  bot has Infobip's answer and cannot commit its outcome; it dies there.

After the restart, recovery (at start-up, then every 0.5 s here) must leave the bot's record as
Infobip's state is, its audit entry written, its thread reply or channel notice posted once, and
the person told by DM, once. The bot is a real `python -m bot serve` process; the Slack stand-in
and the Infobip sandbox run in this process.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from bot.background_server import BackgroundServer
from bot.sandbox.infobip import InfobipSandbox, SandboxConfig
from bot.sandbox.infobip import create_app as create_sandbox_app
from bot.sandbox.slack.driver import SlackDriver
from bot.sandbox.slack.web_api import SlackStandIn
from bot.store.audit import list_audit
from bot.store.db import open_database
from bot.store.intents import open_intents
from bot.store.requests import RequestRecord, list_requests
from tests.drills.support import SIGNING_SECRET, BotProcess, bot_env
from tests.support.waiting import wait_until

ALICE, ADMIN = "U0ALICE001", "U0ADMIN001"
CHANNEL = "C0RESOURCE"
KILL_POINTS = ("not-sent", "held", "answered")


def text_of(message: dict) -> str:
    return str(message.get("blocks") or message.get("text"))


@dataclass
class Stage:
    """The Slack stand-in, the Infobip sandbox and the bot process (restartable) on one database."""

    slack: SlackStandIn
    sandbox: InfobipSandbox
    admin: httpx.Client
    db_path: Path
    env: dict[str, str]
    cwd: Path
    bot: BotProcess | None = None
    driver: SlackDriver | None = None

    def start_bot(self) -> None:
        self.bot = BotProcess(self.env, self.cwd).start()
        self.sandbox.config.webhook_url = self.bot.url + "/webhooks/infobip"
        if self.driver:
            self.driver.close()
        self.driver = SlackDriver(self.bot.url + "/slack/events", SIGNING_SECRET, self.slack)

    # ---- what Slack shows ------------------------------------------------------------------

    def view(self, user: str, contains: str, timeout: float = 15.0) -> dict:
        return wait_until(
            lambda: (v := self.slack.current_view(user)) and contains in str(v) and v,
            timeout,
            f"a modal saying {contains!r}",
        )

    def dms(self, user: str, fragment: str) -> list[dict]:
        return [m for m in self.slack.messages(self.slack.dm_channel(user)) if fragment in text_of(m)]

    def posted(self, fragment: str) -> list[dict]:
        return [m for m in self.slack.messages(CHANNEL) if fragment in text_of(m)]

    def thread(self, request: RequestRecord) -> list[dict]:
        return self.slack.thread(request.channel or "", request.thread_ts or "")

    # ---- the database, read as another process would -----------------------------------------

    def requests(self) -> list[RequestRecord]:
        db = open_database(self.db_path)
        try:
            return list_requests(db)
        finally:
            db.close()

    def audit(self, prefix: str) -> list:
        db = open_database(self.db_path)
        try:
            return list_audit(db, action_prefix=prefix)
        finally:
            db.close()

    def open_intents(self) -> list:
        db = open_database(self.db_path)
        try:
            return open_intents(db)
        finally:
            db.close()

    # ---- the sandbox -----------------------------------------------------------------------

    def hold(self, operation: str) -> None:
        assert self.admin.post("/faults", json={"operation_id": operation, "hold": True}).status_code == 201

    def held(self, operation: str, state: str = "held") -> int:
        def find() -> int | None:
            holds = self.admin.get("/holds").json()["holds"]
            return next((h["id"] for h in holds if h["operationId"] == operation and h["state"] == state), None)

        return wait_until(find, 20, f"a {state} {operation} call")

    def release(self, call_id: int, process: bool) -> None:
        answer = self.admin.post(f"/holds/{call_id}/release", json={"process": process})
        assert answer.status_code == 200, answer.text

    def reviewer(self, provider_id: str, action: str, **body) -> None:
        answer = self.admin.post(f"/resource-requests/{provider_id}/{action}", json=body)
        assert answer.status_code == 200, answer.text


@pytest.fixture
def stage(tmp_path) -> Iterator[Stage]:
    slack = SlackStandIn().start()
    slack.add_channel(CHANNEL, "resources")
    slack.add_user(ALICE, "alice")
    slack.add_user(ADMIN, "ada")
    sandbox = InfobipSandbox(SandboxConfig(lifecycle_step=None, review="manual"))
    server = BackgroundServer(create_sandbox_app(sandbox)).start()
    db_path = tmp_path / "bot.sqlite3"
    env = bot_env(slack=slack, infobip_url=server.url, infobip_key=sandbox.config.api_key, db_path=db_path)
    env.update(RESOURCEBOT_ADMINS=ADMIN, RESOURCEBOT_RECOVER_SECONDS="0.5", RESOURCEBOT_UNCONFIRMED_GIVE_UP_SECONDS="3")
    sandbox.config.webhook_username, sandbox.config.webhook_password = (
        env["INFOBIP_WEBHOOK_USERNAME"],
        env["INFOBIP_WEBHOOK_PASSWORD"],
    )
    admin = httpx.Client(
        base_url=server.url + "/_sandbox", timeout=10, headers={"Authorization": f"App {sandbox.config.api_key}"}
    )
    staged = Stage(slack, sandbox, admin, db_path, env, tmp_path)
    try:
        staged.start_bot()
        yield staged
    finally:
        if staged.bot:
            staged.bot.stop()
        if staged.driver:
            staged.driver.close()
        admin.close()
        server.stop()
        slack.stop()


def kill_at(stage: Stage, point: str, operation: str) -> None:
    """With the bot's call to `operation` held at the sandbox: kill the bot at `point`, restart it."""
    assert stage.bot is not None
    call = stage.held(operation)
    if point == "answered":
        lock = sqlite3.connect(stage.db_path, timeout=5, isolation_level=None)
        lock.execute("BEGIN IMMEDIATE")  # the bot can read, not commit
        try:
            stage.release(call, process=True)
            stage.held(operation, state="answered")
            # The bot's loop stops answering once it waits for the lock to commit what it heard.
            wait_until(lambda: not _answers(stage.bot), 10, "the bot to wait for the database lock")
            stage.bot.kill()
        finally:
            lock.execute("ROLLBACK")
            lock.close()
    else:
        stage.bot.kill()
        stage.release(call, process=point == "held")
        stage.held(operation, state="answered" if point == "held" else "dropped")
    stage.start_bot()


def _answers(bot: BotProcess) -> bool:
    try:
        return httpx.get(bot.url + "/healthz", timeout=0.3).status_code == 200
    except httpx.HTTPError:
        return False


def settled(stage: Stage) -> None:
    """Recovery has nothing left open, and the outbox has delivered what it queued."""
    wait_until(lambda: not stage.open_intents(), 20, "every intent settled")
    assert stage.bot is not None
    wait_until(lambda: stage.bot.health()["outbox_pending"] == 0, 20, "the outbox to drain")


# ---- getting each action to its call -----------------------------------------------------------


def submitted_request(stage: Stage) -> RequestRecord:
    """A number request made through the bot, its thread posted, waiting for the requester's update."""
    assert stage.driver
    stage.driver.slash_command("/resource", "number GB VIRTUAL_LONG_NUMBER", user=ALICE, channel=CHANNEL)
    stage.view(ALICE, "Request")
    assert stage.driver.submit_view({}, user=ALICE).status == 200
    request = wait_until(lambda: next((r for r in stage.requests() if r.thread_ts), None), 20, "the request's thread")
    stage.reviewer(
        request.provider_request_id or "",
        "request-changes",
        feedback=[{"key": "quantity", "code": "RES_REQ_FEED_OTHER", "feedback": "Why one?"}],
    )
    wait_until(lambda: len(stage.thread(request)) >= 2, 20, "the reviewer's request in the thread")
    wait_until(lambda: stage.bot and stage.bot.health()["outbox_pending"] == 0, 20, "the outbox to drain")
    return next(r for r in stage.requests() if r.id == request.id)


def start_submit(stage: Stage) -> None:
    assert stage.driver
    stage.driver.slash_command("/resource", "number GB VIRTUAL_LONG_NUMBER", user=ALICE, channel=CHANNEL)
    stage.view(ALICE, "Request")
    stage.hold("submit-resource-request")
    assert stage.driver.submit_view({}, user=ALICE).status == 200


def start_update(stage: Stage) -> RequestRecord:
    request = submitted_request(stage)
    assert stage.driver
    stage.driver.block_action("request_update", user=ALICE, channel=CHANNEL, message_ts=stage.thread(request)[-1]["ts"])
    wait_until(
        lambda: (v := stage.slack.current_view(ALICE)) and v.get("callback_id") == "request_form", 15, "the form"
    )
    stage.hold("update-resource-request")
    assert stage.driver.submit_view({}, user=ALICE).status == 200
    return request


def start_cancel(stage: Stage) -> RequestRecord:
    request = submitted_request(stage)
    assert stage.driver
    stage.hold("cancel-resource-request")
    stage.driver.block_action("request_cancel", user=ALICE, channel=CHANNEL, message_ts=stage.thread(request)[-1]["ts"])
    return request


def start_purchase(stage: Stage) -> str:
    assert stage.driver
    stage.driver.slash_command("/resource", "numbers GB SMS", user=ADMIN, channel=CHANNEL)
    search = stage.view(ADMIN, "offer:0:")
    row = next(b for b in search["blocks"] if str(b.get("block_id", "")).startswith("offer:"))
    stage.driver.block_action("number_buy", user=ADMIN, block_id=row["block_id"])
    stage.view(ADMIN, "Charged now")
    stage.hold("purchase-number")
    assert stage.driver.submit_view({}, user=ADMIN).status == 200
    return row["block_id"].split(":", 2)[2]


def start_number_cancel(stage: Stage) -> str:
    [bought] = stage.sandbox.numbers.procure("GB", "VIRTUAL_LONG_NUMBER", ("SMS",), 1)
    assert stage.driver
    stage.driver.slash_command("/resource", "my-numbers", user=ADMIN, channel=CHANNEL)
    stage.view(ADMIN, bought["numberKey"])
    stage.driver.block_action("number_cancel", user=ADMIN, block_id=f"owned:{bought['numberKey']}")
    stage.view(ADMIN, "cannot be undone")
    stage.hold("cancel-number")
    assert stage.driver.submit_view({}, user=ADMIN).status == 200
    return bought["numberKey"]


def start_association(stage: Stage) -> str:
    [bought] = stage.sandbox.numbers.procure("GB", "VIRTUAL_LONG_NUMBER", ("SMS",), 1)
    assert stage.driver
    stage.driver.slash_command("/resource", "associate", user=ADMIN, channel=CHANNEL)
    stage.view(ADMIN, "channel.NUMBER")
    stage.hold("create-resource-association")
    assert (
        stage.driver.submit_view(
            {"resource.NUMBER": bought["numberKey"], "channel.NUMBER": "SMS", "applicationId": "default"}, user=ADMIN
        ).status
        == 200
    )
    return bought["numberKey"]


def owned_keys(stage: Stage) -> set[str]:
    return {n["numberKey"] for n in stage.admin.get("/numbers/owned").json()["numbers"]}


# ---- the drills ------------------------------------------------------------------------------


@pytest.mark.parametrize("point", KILL_POINTS)
def test_a_submission_cut_off_is_linked_or_the_requester_told_nothing_was_created(stage, point):
    start_submit(stage)
    kill_at(stage, point, "submit-resource-request")
    made = point != "not-sent"
    assert len(stage.sandbox.requests.lifecycle.requests) == int(made)
    settled(stage)
    [request] = stage.requests()
    if made:
        assert request.provider_request_id in stage.sandbox.requests.lifecycle.requests
        assert len(stage.posted(request.id)) == 1  # the thread's root, once
        assert len(stage.dms(ALICE, "reached Infobip after all")) == 1
        assert [e.target for e in stage.audit("request.submit")] == [request.id]
        stage.view(ALICE, "was submitted")  # the modal left on "Submitting…" shows it
    else:
        assert request.status == "NOT_SUBMITTED" and request.thread_ts is None
        assert len(stage.dms(ALICE, "did not reach Infobip")) == 1
        assert stage.audit("request.submit") == []
        stage.view(ALICE, "did not reach Infobip")  # the modal too, once it is known
    assert stage.sandbox.calls["submit-resource-request"] == 1


@pytest.mark.parametrize("point", KILL_POINTS)
def test_an_update_cut_off_is_shown_once_or_the_requester_asked_to_send_it_again(stage, point):
    request = start_update(stage)
    before = len(stage.thread(request))
    kill_at(stage, point, "update-resource-request")
    settled(stage)
    made = point != "not-sent"
    status = stage.admin.get(f"/resource-requests/{request.provider_request_id}").json()["status"]
    updates = [m for m in stage.thread(request) if "sent an update" in text_of(m)]
    if made:
        assert status != "UPDATE_REQUESTED" and len(updates) == 1
        assert len(stage.dms(ALICE, "reached Infobip after all")) == 1
        assert len(stage.audit("request.update")) == 1
    else:
        assert status == "UPDATE_REQUESTED" and updates == [] and len(stage.thread(request)) == before
        assert len(stage.dms(ALICE, "did not reach Infobip")) == 1
        assert stage.audit("request.update") == []
    assert stage.sandbox.calls["update-resource-request"] == 1


@pytest.mark.parametrize("point", KILL_POINTS)
def test_a_cancel_cut_off_is_shown_once_or_the_requester_told_it_did_not_happen(stage, point):
    request = start_cancel(stage)
    kill_at(stage, point, "cancel-resource-request")
    settled(stage)
    made = point != "not-sent"
    status = stage.admin.get(f"/resource-requests/{request.provider_request_id}").json()["status"]
    canceled = [m for m in stage.thread(request) if "canceled the request" in text_of(m)]
    mine = next(r for r in stage.requests() if r.id == request.id)
    if made:
        assert status == "CANCELED" and mine.status == "CANCELED" and len(canceled) == 1
        assert len(stage.dms(ALICE, "is canceled, as you asked")) == 1
        assert len(stage.audit("request.cancel")) == 1
    else:
        assert status == "UPDATE_REQUESTED" and mine.status == "UPDATE_REQUESTED" and canceled == []
        assert len(stage.dms(ALICE, "was not canceled")) == 1
        assert stage.audit("request.cancel") == []
    assert stage.sandbox.calls["cancel-resource-request"] == 1


@pytest.mark.parametrize("point", KILL_POINTS)
def test_a_purchase_cut_off_is_recorded_and_announced_once_or_said_not_made(stage, point):
    number_key = start_purchase(stage)
    kill_at(stage, point, "purchase-number")
    settled(stage)
    made = point != "not-sent"
    assert (number_key in owned_keys(stage)) is made
    notices = [m for m in stage.posted(number_key) if "bought" in text_of(m)]
    if made:
        assert len(notices) == 1
        assert [e.details["numberKey"] for e in stage.audit("number.purchase")] == [number_key]
        assert len(stage.dms(ADMIN, "went through")) == 1
        stage.view(ADMIN, "is yours")
    else:
        assert notices == [] and stage.audit("number.purchase") == []
        assert len(stage.dms(ADMIN, "did not go through")) == 1
        stage.view(ADMIN, "was not bought")
    assert stage.sandbox.calls["purchase-number"] == 1


@pytest.mark.parametrize("point", KILL_POINTS)
def test_a_number_cancellation_cut_off_is_recorded_once_or_said_not_made(stage, point):
    number_key = start_number_cancel(stage)
    kill_at(stage, point, "cancel-number")
    settled(stage)
    made = point != "not-sent"
    assert (number_key not in owned_keys(stage)) is made
    notices = [m for m in stage.posted(number_key) if "cancelled" in text_of(m)]
    if made:
        assert len(notices) == 1 and len(stage.audit("number.cancel")) == 1
        assert len(stage.dms(ADMIN, "went through")) == 1
    else:
        assert notices == [] and stage.audit("number.cancel") == []
        assert len(stage.dms(ADMIN, "did not go through")) == 1
    assert stage.sandbox.calls["cancel-number"] == 1


@pytest.mark.parametrize("point", KILL_POINTS)
def test_an_association_cut_off_is_recorded_once_or_said_not_made(stage, point):
    number_key = start_association(stage)
    kill_at(stage, point, "create-resource-association")
    settled(stage)
    made = point != "not-sent"
    associations = stage.admin.get("/provisioning").json()["associations"]
    assert [a["resourceId"] for a in associations] == ([number_key] if made else [])
    notices = stage.posted("associated the number")
    if made:
        assert len(notices) == 1 and len(stage.audit("association.create")) == 1
        assert len(stage.dms(ADMIN, "went through")) == 1
    else:
        assert notices == [] and stage.audit("association.create") == []
        assert len(stage.dms(ADMIN, "did not")) == 1
    assert stage.sandbox.calls["create-resource-association"] == 1
