"""The Slack stand-in over real HTTP: slack_sdk against the Web API server, and the driver
against a small slack-bolt AsyncApp mounted in Starlette, as the bot will be."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from urllib.parse import urlencode

import httpx
import pytest
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route

from bot.background_server import BackgroundServer
from bot.sandbox.slack import FormBlocked, SlackDriver, SlackStandIn, render_thread, render_view

CHANNEL = "C0RESOURCE"
ALICE = "U0ALICE001"
SECRET = "test-signing-secret-0123456789"


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    with SlackStandIn() as running:
        yield running


def web(standin: SlackStandIn, **kwargs) -> AsyncWebClient:
    return AsyncWebClient(token=standin.config.bot_token, base_url=standin.api_url, **kwargs)


def section(text: str, block_id: str | None = None) -> dict:
    block = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    return {**block, "block_id": block_id} if block_id else block


def modal(title: str = "Request", blocks: list | None = None, **extra) -> dict:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": title},
        "blocks": blocks if blocks is not None else [section("hello")],
        **extra,
    }


async def error_of(call) -> SlackApiError:
    with pytest.raises(SlackApiError) as caught:
        await call
    return caught.value


# ---- Web API -------------------------------------------------------------------------------


async def test_post_thread_and_update_root(standin: SlackStandIn) -> None:
    client = web(standin)
    root = await client.chat_postMessage(
        channel=CHANNEL, text="Request pending", blocks=[section("*Sender* ACME for <@U0ALICE001>")]
    )
    assert root["channel"] == CHANNEL and root["message"]["ts"] == root["ts"]
    assert re.fullmatch(r"\d{10}\.\d{6}", root["ts"])
    reply = await client.chat_postMessage(channel=CHANNEL, thread_ts=root["ts"], text="Submitted to Infobip")
    assert reply["ts"] > root["ts"] and reply["message"]["thread_ts"] == root["ts"]
    by_name = await client.chat_postMessage(channel="#resources", thread_ts=reply["ts"], text="a & <b>")
    assert by_name["channel"] == CHANNEL and by_name["message"]["thread_ts"] == root["ts"]

    updated = await client.chat_update(
        channel=CHANNEL, ts=root["ts"], text="Request completed", blocks=[section("*Sender* ACME: completed")]
    )
    assert updated["ts"] == root["ts"] and updated["text"] == "Request completed"

    thread = standin.thread(CHANNEL, root["ts"])
    assert [m["text"] for m in thread] == ["Request completed", "Submitted to Infobip", "a & <b>"]
    assert thread[0]["reply_count"] == 2 and thread[0]["edited"]
    assert standin.edits(CHANNEL, root["ts"])[0]["text"] == "Request pending"
    assert [c.method for c in standin.calls()] == ["chat.postMessage"] * 3 + ["chat.update"]

    text = render_thread(standin, CHANNEL, root["ts"])
    assert "*Sender* ACME: completed" in text and "(edited)" in text and "Submitted to Infobip" in text


async def test_other_methods_answer_with_slack_shapes(standin: SlackStandIn) -> None:
    client = web(standin)
    auth = await client.auth_test()
    assert auth["user_id"] == standin.config.bot_user_id and auth["team_id"] == standin.config.team_id
    user = await client.users_info(user=ALICE)
    assert user["user"]["profile"]["email"] == "alice@example.com"
    dm = await client.conversations_open(users=ALICE)
    again = await client.conversations_open(users=ALICE)
    assert dm["channel"]["id"].startswith("D") and again["already_open"] is True
    sent = await client.chat_postMessage(channel=ALICE, text="hi in DM")
    assert sent["channel"] == dm["channel"]["id"]
    eph = await client.chat_postEphemeral(channel=CHANNEL, user=ALICE, text="only you")
    assert standin.ephemeral(CHANNEL, ALICE)[0]["ts"] == eph["message_ts"]
    link = await client.chat_getPermalink(channel=dm["channel"]["id"], message_ts=sent["ts"])
    assert link["permalink"].endswith("/p" + sent["ts"].replace(".", ""))
    assert (await error_of(client.users_info(user="U0NOBODY00"))).response["error"] == "user_not_found"


async def test_form_and_json_bodies_and_tokens(standin: SlackStandIn) -> None:
    client = web(standin)
    blocks = json.dumps([section("from a form")])
    as_form = await client.api_call("chat.postMessage", data={"channel": CHANNEL, "blocks": blocks})
    as_json = await client.api_call("chat.postMessage", json={"channel": CHANNEL, "text": "from JSON"})
    assert as_form["message"]["blocks"][0]["text"]["text"] == "from a form"
    assert as_json["message"]["text"] == "from JSON"
    async with httpx.AsyncClient() as raw:
        in_form = await raw.post(standin.api_url + "auth.test", data={"token": standin.config.bot_token})
        missing = await raw.post(standin.api_url + "auth.test")
        wrong = await raw.post(standin.api_url + "auth.test", headers={"Authorization": "Bearer xoxb-wrong"})
    assert in_form.json()["ok"] is True
    assert missing.json() == {"ok": False, "error": "not_authed"}
    assert wrong.json() == {"ok": False, "error": "invalid_auth"}


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
async def test_message_limits_and_errors(standin: SlackStandIn) -> None:
    standin.set_rate_limit(enabled=False)  # rejected posts count against the limit, as in Slack
    client = web(standin)

    async def error(**kwargs) -> str:
        return (await error_of(client.chat_postMessage(**kwargs))).response["error"]

    assert await error(channel="C0NOWHERE0", text="x") == "channel_not_found"
    assert await error(channel=CHANNEL, blocks=[]) == "no_text"
    assert await error(channel=CHANNEL, text="x", blocks=[section(f"b{i}") for i in range(51)]) == "invalid_blocks"
    assert await error(channel=CHANNEL, text="x", blocks=[section("x" * 3001)]) == "invalid_blocks"
    assert await error(channel=CHANNEL, text="x", blocks=[section("x", "b" * 256)]) == "invalid_blocks"
    assert (
        await error(channel=CHANNEL, text="x", blocks=[section("x", "same"), section("y", "same")]) == "invalid_blocks"
    )
    fifty = await client.chat_postMessage(channel=CHANNEL, text="x", blocks=[section(f"b{i}") for i in range(50)])
    assert fifty["ok"]
    too_long = await error_of(client.chat_postMessage(channel=CHANNEL, text="x", blocks=[section("x" * 3001)]))
    assert "must be less than 3001 characters" in too_long.response["response_metadata"]["messages"][0]
    unknown = await error_of(client.chat_update(channel=CHANNEL, ts="1700000000.000100", text="x"))
    assert unknown.response["error"] == "message_not_found"


async def test_view_limits_stack_and_hash(standin: SlackStandIn) -> None:
    client = web(standin)

    async def open_error(view: dict) -> str:
        trigger = standin.issue_trigger(ALICE)
        return (await error_of(client.views_open(trigger_id=trigger, view=view))).response["error"]

    assert await open_error(modal("T" * 25)) == "invalid_arguments"
    assert await open_error(modal(submit={"type": "plain_text", "text": "S" * 25})) == "invalid_arguments"
    assert await open_error(modal(private_metadata="m" * 3001)) == "invalid_arguments"
    assert await open_error(modal(blocks=[section(str(i)) for i in range(101)])) == "invalid_arguments"
    assert (
        await open_error(
            modal(
                blocks=[
                    {
                        "type": "input",
                        "block_id": "a",
                        "label": {"type": "plain_text", "text": "A"},
                        "element": {"type": "plain_text_input", "action_id": "x" * 256},
                    }
                ],
                submit={"type": "plain_text", "text": "OK"},
            )
        )
        == "invalid_arguments"
    )

    opened = await client.views_open(
        trigger_id=standin.issue_trigger(ALICE),
        view=modal("T" * 24, private_metadata="m" * 3000, blocks=[section(str(i)) for i in range(100)]),
    )
    view = opened["view"]
    assert view["root_view_id"] == view["id"] and standin.current_view(ALICE)["id"] == view["id"]
    for n in (2, 3):
        pushed = await client.views_push(trigger_id=standin.issue_trigger(ALICE), view=modal(f"Step {n}"))
        assert pushed["view"]["previous_view_id"] and pushed["view"]["root_view_id"] == view["id"]
    limit = await error_of(client.views_push(trigger_id=standin.issue_trigger(ALICE), view=modal("Step 4")))
    assert limit.response["error"] == "push_limit_reached"
    assert len(standin.view_stack(ALICE)) == 3

    conflict = await error_of(client.views_update(view_id=view["id"], hash="1.stale", view=modal("New")))
    assert conflict.response["error"] == "hash_conflict"
    fresh = await client.views_update(view_id=view["id"], hash=view["hash"], view=modal("New"))
    assert fresh["view"]["hash"] != view["hash"] and fresh["view"]["title"]["text"] == "New"
    missing = await error_of(client.views_update(view_id="V0NOPE", view=modal("x")))
    assert missing.response["error"] == "not_found"

    home = await client.views_publish(user_id=ALICE, view={"type": "home", "blocks": [section("Your requests")]})
    assert standin.home_view(ALICE)["id"] == home["view"]["id"]
    assert "Your requests" in render_view(standin.home_view(ALICE))


async def test_trigger_id_works_once_and_expires(standin: SlackStandIn) -> None:
    client = web(standin)
    trigger = standin.issue_trigger(ALICE)
    assert (await client.views_open(trigger_id=trigger, view=modal()))["ok"]
    reused = await error_of(client.views_open(trigger_id=trigger, view=modal()))
    assert reused.response["error"] == "exchanged_trigger_id"
    old = standin.issue_trigger(ALICE)
    standin.advance(3.1)
    expired = await error_of(client.views_open(trigger_id=old, view=modal()))
    assert expired.response["error"] == "expired_trigger_id"
    made_up = await error_of(client.views_open(trigger_id="123.456.abc", view=modal()))
    assert made_up.response["error"] == "invalid_trigger_id"


async def test_post_message_rate_limit_and_retry_handler(standin: SlackStandIn) -> None:
    standin.set_rate_limit(burst=1)
    client = web(standin)
    await client.chat_postMessage(channel=CHANNEL, text="first")
    limited = await error_of(client.chat_postMessage(channel=CHANNEL, text="second"))
    assert limited.response.status_code == 429 and limited.response["error"] == "ratelimited"
    assert int(limited.response.headers["Retry-After"][0]) >= 1
    assert (await client.chat_postMessage(channel="C0GENERAL1", text="other channel"))["ok"]

    patient = web(standin, retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=2)])
    started = time.monotonic()
    assert (await patient.chat_postMessage(channel=CHANNEL, text="third"))["ok"]
    assert time.monotonic() - started >= 0.5
    statuses = [c.status for c in standin.calls("chat.postMessage")]
    assert statuses[:3] == [200, 429, 200] and statuses[-2:] == [429, 200]


async def test_fault_for_next_calls_and_for_a_period(standin: SlackStandIn) -> None:
    client = web(standin)
    standin.set_fault(500, methods="chat.postMessage", times=2)
    for _ in range(2):
        assert (await error_of(client.chat_postMessage(channel=CHANNEL, text="x"))).response.status_code == 500
    assert (await client.auth_test())["ok"]
    assert (await client.chat_postMessage(channel=CHANNEL, text="through"))["ok"]

    standin.set_fault(503, seconds=60)
    assert (await error_of(client.auth_test())).response.status_code == 503
    standin.advance(61)
    assert (await client.auth_test())["ok"]

    standin.set_fault(500, times=1)
    retrying = web(standin, retry_handlers=[AsyncServerErrorRetryHandler(max_retry_count=1)])
    assert (await retrying.chat_postMessage(channel=CHANNEL, text="retried"))["ok"]


async def test_private_file_download_needs_the_bot_token(standin: SlackStandIn) -> None:
    pdf = b"%PDF-1.4 letter of authorization"
    file = standin.add_file("loa.pdf", "application/pdf", pdf, user=ALICE)
    info = await web(standin).files_info(file=file["id"])
    assert info["file"]["url_private_download"] == file["url_private_download"]
    async with httpx.AsyncClient() as raw:
        good = await raw.get(
            file["url_private_download"], headers={"Authorization": f"Bearer {standin.config.bot_token}"}
        )
        bad = await raw.get(file["url_private_download"], headers={"Authorization": "Bearer xoxb-nope"})
        none = await raw.get(file["url_private_download"])
    assert good.status_code == 200 and good.content == pdf
    assert good.headers["content-type"].startswith("application/pdf")
    for page in (bad, none):
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert [c.status for c in standin.calls("files.download")] == [200, 200, 200]


# ---- the driver against a Bolt app ----------------------------------------------------------

SENDER_FORM = modal(
    "Sender registration",
    callback_id="sender_form",
    private_metadata='{"cc": "HR"}',
    submit={"type": "plain_text", "text": "Submit"},
    blocks=[
        {
            "type": "input",
            "block_id": "senderName",
            "label": {"type": "plain_text", "text": "Sender name"},
            "element": {"type": "plain_text_input", "action_id": "value", "min_length": 3, "max_length": 11},
        },
        {
            "type": "input",
            "block_id": "trafficType",
            "label": {"type": "plain_text", "text": "Traffic"},
            "element": {
                "type": "static_select",
                "action_id": "value",
                "options": [
                    {"text": {"type": "plain_text", "text": "Promotional"}, "value": "PROMOTIONAL"},
                    {"text": {"type": "plain_text", "text": "Transactional"}, "value": "TRANSACTIONAL"},
                ],
            },
        },
        {
            "type": "input",
            "block_id": "capabilities",
            "label": {"type": "plain_text", "text": "Capabilities"},
            "element": {
                "type": "checkboxes",
                "action_id": "value",
                "options": [{"text": {"type": "plain_text", "text": c}, "value": c} for c in ("SMS", "VOICE", "MMS")],
            },
        },
        {
            "type": "input",
            "block_id": "quantity",
            "label": {"type": "plain_text", "text": "Quantity"},
            "element": {
                "type": "number_input",
                "action_id": "value",
                "is_decimal_allowed": False,
                "min_value": "1",
                "max_value": "49",
                "initial_value": "1",
            },
        },
        {
            "type": "input",
            "block_id": "additionalContactEmails",
            "optional": True,
            "label": {"type": "plain_text", "text": "Contact email"},
            "element": {"type": "email_text_input", "action_id": "value"},
        },
        {
            "type": "input",
            "block_id": "website",
            "optional": True,
            "label": {"type": "plain_text", "text": "Website"},
            "element": {"type": "url_text_input", "action_id": "value"},
        },
        {
            "type": "input",
            "block_id": "loa",
            "optional": True,
            "label": {"type": "plain_text", "text": "LOA"},
            "element": {"type": "file_input", "action_id": "value", "max_files": 1},
        },
    ],
)


class BoltHarness:
    def __init__(self, standin: SlackStandIn):
        self.received: list[dict] = []
        self.events: list[dict] = []
        app = AsyncApp(client=web(standin), signing_secret=SECRET)

        @app.command("/resource")
        async def command(ack, body, client):
            await ack()
            loading = await client.views_open(trigger_id=body["trigger_id"], view=modal("Loading…"))
            await client.views_update(view_id=loading["view"]["id"], hash=loading["view"]["hash"], view=SENDER_FORM)

        @app.command("/ping")
        async def ping(ack):
            await ack("pong")

        @app.view("sender_form")
        async def submitted(ack, view, client):
            values = view["state"]["values"]
            if values["senderName"]["value"]["value"] == "TAKEN":
                await ack(response_action="errors", errors={"senderName": "Already registered"})
                return
            await ack()
            self.received.append({"values": values, "metadata": view["private_metadata"]})
            await client.chat_postMessage(
                channel=CHANNEL,
                text="Sender request",
                blocks=[
                    section("*Sender request* ACME"),
                    {
                        "type": "actions",
                        "block_id": "decide",
                        "elements": [
                            {
                                "type": "button",
                                "action_id": "approve",
                                "value": "req-1",
                                "text": {"type": "plain_text", "text": "Approve"},
                            }
                        ],
                    },
                ],
            )

        @app.action("approve")
        async def approve(ack, body, client, respond):
            await ack()
            self.received.append({"action": body["actions"][0]})
            await client.chat_update(
                channel=body["channel"]["id"],
                ts=body["message"]["ts"],
                text="Approved",
                blocks=[section(f"*Approved* by <@{body['user']['id']}>")],
            )
            await respond(text="You approved req-1", replace_original=False)

        @app.event("app_home_opened")
        async def home(event, client):
            self.events.append(event)
            await client.views_publish(
                user_id=event["user"], view={"type": "home", "blocks": [section("No requests yet")]}
            )

        handler = AsyncSlackRequestHandler(app)

        async def endpoint(request: Request):
            return await handler.handle(request)

        self.server = BackgroundServer(Starlette(routes=[Route("/slack/events", endpoint, methods=["POST"])])).start()
        self.driver = SlackDriver(self.server.url + "/slack/events", SECRET, standin)

    def stop(self) -> None:
        self.driver.close()
        self.server.stop()


@pytest.fixture
def bolt(standin: SlackStandIn) -> Iterator[BoltHarness]:
    harness = BoltHarness(standin)
    yield harness
    harness.stop()


def test_command_opens_loading_view_then_form(standin: SlackStandIn, bolt: BoltHarness) -> None:
    response = bolt.driver.slash_command("/resource", "sender HR", user=ALICE, channel=CHANNEL)
    assert response.status == 200 and response.in_time
    view = standin.wait_for(lambda s: (v := s.current_view(ALICE)) and v["callback_id"] == "sender_form" and v)
    assert [c.method for c in standin.calls() if c.method.startswith("views")] == ["views.open", "views.update"]
    assert view["private_metadata"] == '{"cc": "HR"}'


def test_ack_text_is_shown_to_the_user(standin: SlackStandIn, bolt: BoltHarness) -> None:
    assert bolt.driver.slash_command("/ping", user=ALICE, channel=CHANNEL).status == 200
    assert standin.ephemeral(CHANNEL, ALICE)[-1]["text"] == "pong"


def test_view_submission_with_helper_values(standin: SlackStandIn, bolt: BoltHarness) -> None:
    driver = bolt.driver
    driver.slash_command("/resource", user=ALICE, channel=CHANNEL)
    standin.wait_for(lambda s: (v := s.current_view(ALICE)) and v["callback_id"] == "sender_form")

    with pytest.raises(FormBlocked) as blocked:
        driver.submit_view({"senderName": "AB", "capabilities": ["SMS"]}, user=ALICE)
    assert set(blocked.value.errors) == {"senderName", "trafficType"}

    refused = driver.submit_view(
        {"senderName": "TAKEN", "trafficType": "PROMOTIONAL", "capabilities": ["SMS"]}, user=ALICE
    )
    assert refused.status == 200 and refused.errors == {"senderName": "Already registered"}
    assert standin.current_view(ALICE)["callback_id"] == "sender_form"

    loa = standin.add_file("loa.pdf", "application/pdf", b"%PDF-1.4", user=ALICE)
    accepted = driver.submit_view(
        {
            "senderName": "ACME",
            "trafficType": "PROMOTIONAL",
            "capabilities": ["SMS", "VOICE"],
            "quantity": 2,
            "additionalContactEmails": "ops@example.com",
            "loa": [loa],
        },
        user=ALICE,
    )
    assert accepted.status == 200 and accepted.errors is None
    assert standin.current_view(ALICE) is None
    posted = standin.wait_for(lambda s: s.messages(CHANNEL))
    assert posted[-1]["blocks"][1]["elements"][0]["action_id"] == "approve"
    values = bolt.received[-1]["values"]
    assert values["senderName"]["value"] == {"type": "plain_text_input", "value": "ACME"}
    assert values["trafficType"]["value"] == {
        "type": "static_select",
        "selected_option": {"text": {"type": "plain_text", "text": "Promotional"}, "value": "PROMOTIONAL"},
    }
    assert [o["value"] for o in values["capabilities"]["value"]["selected_options"]] == ["SMS", "VOICE"]
    assert values["quantity"]["value"] == {"type": "number_input", "value": "2"}
    assert values["additionalContactEmails"]["value"]["value"] == "ops@example.com"
    assert values["website"]["value"] == {"type": "url_text_input", "value": None}
    assert values["loa"]["value"]["files"][0]["url_private_download"] == loa["url_private_download"]


def test_block_action_updates_root_and_responds(standin: SlackStandIn, bolt: BoltHarness) -> None:
    blocks = [
        section("*Sender request* ACME", "head"),
        {
            "type": "actions",
            "block_id": "decide",
            "elements": [
                {
                    "type": "button",
                    "action_id": "approve",
                    "value": "req-1",
                    "text": {"type": "plain_text", "text": "Approve"},
                }
            ],
        },
    ]
    posted = httpx.post(
        standin.api_url + "chat.postMessage",
        json={"channel": CHANNEL, "blocks": blocks},
        headers={"Authorization": f"Bearer {standin.config.bot_token}"},
    )
    ts = posted.json()["ts"]
    response = bolt.driver.block_action("approve", user=ALICE, channel=CHANNEL, message_ts=ts)
    assert response.status == 200
    standin.wait_for(lambda s: s.root(CHANNEL, ts)["text"] == "Approved" and s.ephemeral(CHANNEL, ALICE))
    assert bolt.received[-1]["action"]["value"] == "req-1"
    assert bolt.received[-1]["action"]["block_id"] == "decide"
    assert standin.ephemeral(CHANNEL, ALICE)[-1]["text"] == "You approved req-1"
    assert "*Approved* by @alice" in render_thread(standin, CHANNEL, ts)


def test_app_home_opened_publishes_home(standin: SlackStandIn, bolt: BoltHarness) -> None:
    response = bolt.driver.open_home(user=ALICE)
    assert response.status == 200
    home = standin.wait_for(lambda s: s.home_view(ALICE))
    assert home["blocks"][0]["text"]["text"] == "No requests yet"
    assert bolt.events[0]["tab"] == "home" and bolt.events[0]["channel"].startswith("D")
    retried = bolt.driver.send_event(bolt.events[0], event_id="Ev0RETRY01", retry_num=1)
    assert retried.status == 200


def test_bad_or_stale_signature_is_refused(standin: SlackStandIn, bolt: BoltHarness) -> None:
    body = urlencode({"command": "/resource", "text": "", "user_id": ALICE}).encode()
    form = "application/x-www-form-urlencoded"
    assert bolt.driver.post(body, form, signature="v0=" + "0" * 64).status == 401
    assert bolt.driver.post(body, form, timestamp=int(time.time()) - 600).status == 401
    assert standin.calls("views.open") == []


# ---- reading history back (conversations.history / conversations.replies) --------------------


async def test_history_and_replies_page_and_show_metadata_only_when_asked(standin):
    standin.set_rate_limit(enabled=False)
    client = web(standin)
    marker = {"event_type": "resourcebot_outbox_item", "event_payload": {"item": 7, "request": "R1"}}
    root = await client.chat_postMessage(channel="C0RESOURCE", text="root")
    for i in range(3):
        await client.chat_postMessage(
            channel="C0RESOURCE", thread_ts=root["ts"], text=f"reply {i}", metadata=marker if i == 1 else None
        )
    later = await client.chat_postMessage(channel="C0RESOURCE", text="later", metadata=marker)

    history = await client.conversations_history(channel="C0RESOURCE", include_all_metadata=True)
    assert [m["text"] for m in history["messages"]] == ["later", "root"]  # newest first, no replies
    assert history["messages"][0]["metadata"] == marker
    plain = await client.conversations_history(channel="C0RESOURCE")
    assert "metadata" not in plain["messages"][0]

    first = await client.conversations_replies(channel="C0RESOURCE", ts=root["ts"], limit=2, include_all_metadata=True)
    assert [m["text"] for m in first["messages"]] == ["root", "reply 0"] and first["has_more"]
    rest = await client.conversations_replies(
        channel="C0RESOURCE",
        ts=root["ts"],
        limit=2,
        include_all_metadata=True,
        cursor=first["response_metadata"]["next_cursor"],
    )
    assert [m["text"] for m in rest["messages"]] == ["reply 1", "reply 2"] and not rest["has_more"]
    assert rest["messages"][0]["metadata"] == marker

    newer = await client.conversations_history(channel="C0RESOURCE", oldest=root["ts"])
    assert [m["ts"] for m in newer["messages"]] == [later["ts"]]  # oldest is exclusive
    assert (await error_of(client.conversations_replies(channel="C0RESOURCE", ts="1.000000"))).response[
        "error"
    ] == "thread_not_found"


async def test_usergroups_users_list_answers_as_slack_documents(standin: SlackStandIn) -> None:
    standin.add_usergroup("S0APPROVE", [ALICE, "U0BOB00001"])
    client = web(standin)
    answer = await client.usergroups_users_list(usergroup="S0APPROVE")
    assert answer["ok"] is True and answer["users"] == [ALICE, "U0BOB00001"]
    with pytest.raises(SlackApiError) as unknown:
        await client.usergroups_users_list(usergroup="S0NOSUCH")
    assert unknown.value.response["error"] == "no_such_subteam"
    standin.config.bot_scopes = tuple(s for s in standin.config.bot_scopes if s != "usergroups:read")
    with pytest.raises(SlackApiError) as scope:
        await client.usergroups_users_list(usergroup="S0APPROVE")
    assert scope.value.response["error"] == "missing_scope" and scope.value.response["needed"] == "usergroups:read"
