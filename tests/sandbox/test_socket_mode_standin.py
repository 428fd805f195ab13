"""Socket Mode in the Slack stand-in, over real HTTP and WebSockets: apps.connections.open and its
refusals, the single-use URL, hello first, envelopes and acks (and what counts of an ack), Slack's
disconnect, the connection limit and the drill controls; then slack_bolt's own Socket Mode handler
driven through the stand-in's driver, as Slack would drive it."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator

import aiohttp
import httpx
import pytest
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox.slack import SlackDriver, SlackStandIn
from bot.sandbox.slack.socket_mode import MAX_CONNECTIONS

CHANNEL = "C0RESOURCE"
ALICE = "U0ALICE001"
ENVELOPE_KEYS = {"envelope_id", "type", "payload", "accepts_response_payload", "retry_attempt", "retry_reason"}


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    with SlackStandIn() as running:
        yield running


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def open_url(standin: SlackStandIn, token: str | None = None, timeout: float = 5) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token or standin.config.app_token}"}
    return httpx.post(standin.api_url + "apps.connections.open", headers=headers, timeout=timeout)


async def connect(standin: SlackStandIn, http: aiohttp.ClientSession) -> tuple[aiohttp.ClientWebSocketResponse, dict]:
    """A new connection as an app opens one; returns it with Slack's first message."""
    answer = await asyncio.to_thread(open_url, standin)
    socket = await http.ws_connect(answer.json()["url"])
    return socket, await socket.receive_json(timeout=5)


# ---- apps.connections.open -------------------------------------------------------------------


def test_apps_connections_open_wants_the_app_token_in_the_authorization_header(standin: SlackStandIn) -> None:
    good = open_url(standin)
    assert good.status_code == 200 and good.json()["ok"] is True
    url = good.json()["url"]
    assert url.startswith(standin.url.replace("http://", "ws://") + "/link/?ticket=")
    assert url.endswith(f"&app_id={standin.config.app_id}")
    assert good.headers["x-oauth-scopes"] == "connections:write"

    assert open_url(standin, "xapp-1-A0STANDIN1-revoked").json() == {"ok": False, "error": "invalid_auth"}
    assert open_url(standin, standin.config.bot_token).json() == {"ok": False, "error": "not_allowed_token_type"}
    in_body = httpx.post(standin.api_url + "apps.connections.open", data={"token": standin.config.app_token})
    assert in_body.json() == {"ok": False, "error": "not_authed"}  # documented: the header only
    by_get = httpx.get(
        standin.api_url + "apps.connections.open", headers={"Authorization": f"Bearer {standin.config.app_token}"}
    )
    assert by_get.json() == {"ok": False, "error": "insecure_request"}
    calls = standin.calls("apps.connections.open")
    assert [c.ok for c in calls] == [True, False, False, False, False]
    assert all("token" not in c.args for c in calls)


def test_refused_token_and_let_in(standin: SlackStandIn) -> None:
    standin.socket_mode.refuse_token()
    assert open_url(standin).json() == {"ok": False, "error": "invalid_auth"}
    standin.socket_mode.let_in()
    assert open_url(standin).json()["ok"] is True


def test_unreachable_holds_the_call_until_let_in(standin: SlackStandIn) -> None:
    standin.socket_mode.make_unreachable()
    with pytest.raises(httpx.ReadTimeout):
        open_url(standin, timeout=0.5)
    answers: list[httpx.Response] = []
    waiting = threading.Thread(target=lambda: answers.append(open_url(standin, timeout=10)))
    waiting.start()
    time.sleep(0.5)
    assert answers == []  # still held
    standin.socket_mode.let_in()
    waiting.join(5)
    assert answers and answers[0].json()["ok"] is True
    assert [c.ok for c in standin.calls("apps.connections.open")] == [True]  # the one that hung up: no answer


def test_a_fault_on_the_method_answers_as_slack_does_when_it_is_down(standin: SlackStandIn) -> None:
    standin.set_fault(503, methods="apps.connections.open", times=1)
    down = open_url(standin)
    assert down.status_code == 503 and down.json() == {"ok": False, "error": "service_unavailable"}
    assert open_url(standin).json()["ok"] is True


# ---- the WebSocket -----------------------------------------------------------------------------


async def test_the_url_works_once_and_slack_says_hello_first(standin: SlackStandIn, http) -> None:
    url = (await asyncio.to_thread(open_url, standin)).json()["url"]
    socket = await http.ws_connect(url)
    hello = await socket.receive_json(timeout=5)
    assert hello["type"] == "hello" and hello["num_connections"] == 1
    assert hello["connection_info"] == {"app_id": standin.config.app_id}
    assert hello["debug_info"]["approximate_connection_time"] > 0
    with pytest.raises(aiohttp.WSServerHandshakeError) as again:
        await http.ws_connect(url)
    assert again.value.status == 403
    with pytest.raises(aiohttp.WSServerHandshakeError) as made_up:
        await http.ws_connect(url.split("?")[0] + "?ticket=0123456789abcdef&app_id=A0STANDIN1")
    assert made_up.value.status == 403
    second, hello2 = await connect(standin, http)
    assert hello2["num_connections"] == 2
    assert len(standin.socket_mode.connections()) == 2
    await socket.close()
    await second.close()


async def test_an_envelope_and_its_ack_payload_as_the_http_answer_would_be(standin: SlackStandIn, http) -> None:
    socket, _ = await connect(standin, http)
    command = {"command": "/resource", "text": "help", "user_id": ALICE, "channel_id": CHANNEL}
    delivering = asyncio.create_task(asyncio.to_thread(standin.socket_mode.deliver, "slash_commands", command))
    envelope = await socket.receive_json(timeout=5)
    assert set(envelope) == ENVELOPE_KEYS
    assert envelope["type"] == "slash_commands" and envelope["payload"] == command
    assert envelope["accepts_response_payload"] is True and envelope["retry_attempt"] == 0
    await socket.send_str(json.dumps({"envelope_id": "not-one-we-sent", "payload": {"text": "stray"}}))
    await socket.send_str(json.dumps({"envelope_id": envelope["envelope_id"], "payload": {"text": "Usage: …"}}))
    delivery = await delivering
    assert delivery.acked and delivery.in_time and delivery.elapsed < 3
    assert delivery.response_payload == {"text": "Usage: …"}

    # Where Slack reads no answer (an event, a click), a payload in the ack counts for nothing.
    for kind, payload in (
        ("events_api", {"type": "event_callback", "event": {"type": "app_home_opened"}}),
        ("interactive", {"type": "block_actions", "actions": []}),
    ):
        delivering = asyncio.create_task(asyncio.to_thread(standin.socket_mode.deliver, kind, payload))
        envelope = await socket.receive_json(timeout=5)
        assert envelope["accepts_response_payload"] is False
        await socket.send_str(json.dumps({"envelope_id": envelope["envelope_id"], "payload": {"text": "ignored"}}))
        delivery = await delivering
        assert delivery.in_time and delivery.ack_payload == {"text": "ignored"} and delivery.response_payload is None
    submission = asyncio.create_task(
        asyncio.to_thread(standin.socket_mode.deliver, "interactive", {"type": "view_submission", "view": {}})
    )
    envelope = await socket.receive_json(timeout=5)
    assert envelope["accepts_response_payload"] is True
    await socket.send_str(json.dumps({"envelope_id": envelope["envelope_id"], "payload": {"response_action": "clear"}}))
    assert (await submission).response_payload == {"response_action": "clear"}
    await socket.close()


async def test_a_late_ack_is_not_in_time_and_no_ack_is_no_answer(standin: SlackStandIn, http) -> None:
    socket, _ = await connect(standin, http)
    delivering = asyncio.create_task(
        asyncio.to_thread(standin.socket_mode.deliver, "slash_commands", {"command": "/resource"}, timeout=6)
    )
    envelope = await socket.receive_json(timeout=5)
    await asyncio.sleep(3.2)
    await socket.send_str(json.dumps({"envelope_id": envelope["envelope_id"], "payload": {"text": "too late"}}))
    late = await delivering
    assert late.acked and not late.in_time and late.response_payload is None

    unanswered = await asyncio.to_thread(
        standin.socket_mode.deliver,
        "events_api",
        {"type": "event_callback", "event": {}},
        retry_attempt=2,
        retry_reason="timeout",
        timeout=0.5,
    )
    assert not unanswered.acked and unanswered.connection is not None
    assert unanswered.envelope["retry_attempt"] == 2 and unanswered.envelope["retry_reason"] == "timeout"
    await socket.close()


def test_with_no_connection_there_is_nobody_to_deliver_to(standin: SlackStandIn) -> None:
    delivery = standin.socket_mode.deliver("slash_commands", {"command": "/resource"}, timeout=0.3)
    assert delivery.connection is None and not delivery.acked
    driver = SlackDriver.over_socket_mode(standin, timeout=0.3)
    response = driver.slash_command("/resource", "help", user=ALICE, channel=CHANNEL)
    assert response.status == 503 and "dispatch_failed" in response.notes[0]
    with pytest.raises(RuntimeError):
        driver.url_verification()


async def test_disconnect_asks_for_a_new_connection_and_the_old_one_is_closed_later(
    standin: SlackStandIn, http
) -> None:
    old, _ = await connect(standin, http)
    [told] = await asyncio.to_thread(standin.socket_mode.request_reconnect, "refresh_requested", close_after=1.0)
    assert await old.receive_json(timeout=5) == {
        "type": "disconnect",
        "reason": "refresh_requested",
        "debug_info": {"host": "applink-standin"},
    }
    new, hello = await connect(standin, http)
    assert hello["num_connections"] == 2
    # Envelopes now go to the connection that stays, not to the one asked to go.
    delivering = asyncio.create_task(
        asyncio.to_thread(standin.socket_mode.deliver, "slash_commands", {"command": "/resource"})
    )
    envelope = await new.receive_json(timeout=5)
    await new.send_str(json.dumps({"envelope_id": envelope["envelope_id"]}))
    delivery = await delivering
    assert delivery.in_time and delivery.connection != told and delivery.response_payload is None
    closing = await old.receive(timeout=5)
    assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    await asyncio.to_thread(
        standin.socket_mode.wait_for, lambda s: [c.id for c in s.connections()] == [delivery.connection], 5
    )
    await new.close()


async def test_an_eleventh_connection_is_told_too_many_websockets(standin: SlackStandIn, http) -> None:
    sockets = [(await connect(standin, http))[0] for _ in range(MAX_CONNECTIONS)]
    extra, first = await connect(standin, http)
    assert first == {"type": "disconnect", "reason": "too_many_websockets", "debug_info": {"host": "applink-standin"}}
    assert (await extra.receive(timeout=5)).type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    assert len(standin.socket_mode.connections()) == MAX_CONNECTIONS
    for socket in sockets:
        await socket.close()


async def test_drop_connections_cuts_every_socket(standin: SlackStandIn, http) -> None:
    socket, _ = await connect(standin, http)
    await asyncio.to_thread(standin.socket_mode.drop_connections)
    cut = await socket.receive(timeout=5)
    assert cut.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    await asyncio.to_thread(standin.socket_mode.wait_for, lambda s: not s.connections(), 5)


# ---- slack_bolt's Socket Mode handler, driven as Slack drives it ---------------------------------


class BoltOverSocket:
    """A small Bolt app with the library's stock AsyncSocketModeHandler, on a loop of its own."""

    def __init__(self, standin: SlackStandIn):
        self.standin = standin
        self.loop = asyncio.new_event_loop()
        self.events: list[dict] = []
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()
        self.handler: AsyncSocketModeHandler = self._run(self._start())

    def _run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(15)

    async def _start(self) -> AsyncSocketModeHandler:
        app = AsyncApp(client=AsyncWebClient(token=self.standin.config.bot_token, base_url=self.standin.api_url))

        @app.command("/ping")
        async def ping(ack):
            await ack("pong")

        @app.command("/form")
        async def form(ack, body, client):
            await ack()
            await client.views_open(
                trigger_id=body["trigger_id"],
                view={
                    "type": "modal",
                    "callback_id": "f",
                    "title": {"type": "plain_text", "text": "Form"},
                    "submit": {"type": "plain_text", "text": "Send"},
                    "blocks": [
                        {
                            "type": "input",
                            "block_id": "name",
                            "label": {"type": "plain_text", "text": "Name"},
                            "element": {"type": "plain_text_input", "action_id": "v"},
                        }
                    ],
                },
            )

        @app.view("f")
        async def submitted(ack, view):
            name = view["state"]["values"]["name"]["v"]["value"]
            await ack(response_action="errors", errors={"name": "Taken"}) if name == "taken" else await ack()

        @app.event("app_home_opened")
        async def home(event):
            self.events.append(event)

        handler = AsyncSocketModeHandler(app, self.standin.config.app_token)
        await handler.connect_async()
        return handler

    def close(self) -> None:
        self._run(self.handler.close_async())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)


@pytest.fixture
def bolt(standin: SlackStandIn) -> Iterator[BoltOverSocket]:
    running = BoltOverSocket(standin)
    standin.socket_mode.wait_for_connection(10)
    yield running
    running.close()


def test_bolt_over_socket_mode_through_the_driver(standin: SlackStandIn, bolt: BoltOverSocket) -> None:
    driver = SlackDriver.over_socket_mode(standin)
    pong = driver.slash_command("/ping", user=ALICE, channel=CHANNEL)
    assert pong.status == 200 and pong.in_time and pong.json == {"text": "pong"}
    assert standin.ephemeral(CHANNEL, ALICE)[-1]["text"] == "pong"  # the ack's text, shown to its user

    assert driver.slash_command("/form", user=ALICE, channel=CHANNEL).in_time
    standin.wait_for(lambda s: s.current_view(ALICE))
    refused = driver.submit_view({"name": "taken"}, user=ALICE)
    assert refused.errors == {"name": "Taken"} and standin.current_view(ALICE) is not None
    accepted = driver.submit_view({"name": "Ada"}, user=ALICE)
    assert accepted.status == 200 and accepted.errors is None and standin.current_view(ALICE) is None

    assert driver.open_home(user=ALICE).in_time
    standin.wait_for(lambda s: bolt.events, 5)
    assert bolt.events[0]["user"] == ALICE
    retried = driver.send_event({"type": "app_home_opened", "user": ALICE, "tab": "home"}, retry_num=1)
    assert retried.in_time and standin.socket_mode.deliveries()[-1].envelope["retry_reason"] == "timeout"

    # Slack moves the app to a new connection; the library reconnects and the app goes on answering.
    [old] = standin.socket_mode.connections()
    new = driver.ask_to_reconnect("refresh_requested", close_after=0.5)
    assert new.id > old.id
    again = driver.slash_command("/ping", user=ALICE, channel=CHANNEL)
    assert again.in_time and again.json == {"text": "pong"}
    assert standin.socket_mode.deliveries()[-1].connection == new.id
