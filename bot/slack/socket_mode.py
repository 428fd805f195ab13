"""Socket Mode in the background: one supervised connection to Slack, never in the way of HTTP.

The protocol is slack_sdk's aiohttp SocketModeClient (the receive loop, ping/pong, the message
queue) and Bolt's AsyncSocketModeHandler.handle (dispatch, then the ack with its payload). The
policy around it is ours, because the library's own loops retry forever with a traceback each time
and cannot be stopped while they wait:

- the bot serves HTTP at once; `run()` connects on its own task and keeps `link` (bot/slack/link.py)
  saying how it stands, which `/readyz` reports;
- apps.connections.open is called here, so its answer can be told apart: a refused token
  (invalid_auth…) is logged once, naming SLACK_APP_TOKEN, and retried slowly; an unreachable or
  failing Slack is retried with capped, jittered backoff and logged once per change of state;
- a `disconnect` from Slack (refresh_requested, warning) opens the new connection before the old
  one is closed; a connection that dies is replaced at once, then with backoff;
- cancelling `run()` closes everything within CLOSE_SECONDS, whatever it was doing, so SIGTERM is
  honoured at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

import aiohttp
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.envelope import problem as envelope_problem
from bot.slack.link import CONNECTED, RECONNECTING, REFUSED, TOKEN_REFUSALS, UNREACHABLE, Backoff, SlackLink

log = logging.getLogger("bot.slack.socket_mode")

OPEN_SECONDS = 10.0  # apps.connections.open
CONNECT_SECONDS = 15.0  # the WebSocket handshake and Slack's hello
CLOSE_SECONDS = 1.0  # a close handshake at most; then the socket is just dropped
PING_SECONDS = 10.0  # as Bolt's handler: a silent connection is found dead within 4 of these


class _Refused(Exception):
    """Slack will not open a connection for this token."""


class _Unavailable(Exception):
    """No connection this time; another attempt may get one."""

    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.retry_after = retry_after


class SupervisedClient(SocketModeClient):
    """slack_sdk's aiohttp client, but `connect()` makes one attempt and asking for a new
    connection (Slack's `disconnect`, a dead session) only tells the supervisor, which decides
    when to connect again."""

    def __init__(self, app_token: str, web_client: AsyncWebClient):
        super().__init__(
            app_token=app_token,
            web_client=web_client,
            ping_interval=PING_SECONDS,
            logger=logging.getLogger("bot.slack.socket_mode.sdk"),
        )
        self.wanted = asyncio.Event()  # set when a new connection is needed
        self.refresh = False  # … because Slack asked for one (else: this one died)
        self.on_error_listeners.append(self._broken)

    async def _broken(self, message: aiohttp.WSMessage) -> None:
        # The library only reports a broken socket to its listeners; the monitor would notice later.
        await self.connect_to_new_endpoint()

    async def connect_to_new_endpoint(self, force: bool = False) -> None:
        # The library calls this with force=True for Slack's `disconnect`, else for a dead session.
        if not self.closed:
            self.refresh = self.refresh or force
            self.wanted.set()

    async def connect(self) -> None:
        """Open the WebSocket at `wss_uri`, wait for Slack's hello, then make it the current
        session; the old one (if any) is closed only after the new one is greeted."""
        if self.aiohttp_client_session.closed:
            self.aiohttp_client_session = aiohttp.ClientSession()
        session = await self.aiohttp_client_session.ws_connect(
            self.wss_uri,
            autoping=False,
            heartbeat=self.ping_interval,
            proxy=self.proxy,
            ssl=self.web_client.ssl if self.web_client.ssl is not None else True,
            timeout=aiohttp.ClientWSTimeout(ws_close=CLOSE_SECONDS),
        )
        try:
            await _hello(session)
        except BaseException:
            await _drop(session)
            raise
        old = self.current_session
        for task in (self.current_session_monitor, self.message_receiver):
            if task is not None:
                task.cancel()
        self.current_session, self.stale, self.last_ping_pong_time = session, False, None
        self.wanted.clear()
        self.refresh = False
        self.auto_reconnect_enabled = True
        self.current_session_monitor = asyncio.ensure_future(self.monitor_current_session())
        self.message_receiver = asyncio.ensure_future(self.receive_messages())
        if old is not None:
            await _drop(old)

    async def abandon(self) -> None:
        """The current session died: stop its receive loop and its monitor (which would say so again
        every ping interval through an outage) and close what is left of it."""
        for task in (self.current_session_monitor, self.message_receiver):
            if task is not None:
                task.cancel()
        self.current_session_monitor = self.message_receiver = None
        if self.current_session is not None:
            await _drop(self.current_session)

    async def close(self) -> None:
        """Everything stopped and closed within CLOSE_SECONDS or so, whatever the state."""
        self.closed, self.auto_reconnect_enabled = True, False
        for task in (self.message_processor, self.current_session_monitor, self.message_receiver):
            if task is not None:
                task.cancel()
        if self.current_session is not None:
            await _drop(self.current_session)
        await self.aiohttp_client_session.close()


async def _hello(session: aiohttp.ClientWebSocketResponse) -> dict:
    """Slack speaks first on a new connection: `{"type": "hello", …}`."""
    while True:
        message = await session.receive()
        if message.type == aiohttp.WSMsgType.PING:
            await session.pong(message.data)
        elif message.type == aiohttp.WSMsgType.TEXT:
            data = json.loads(message.data)
            if isinstance(data, dict) and data.get("type") == "hello":
                return data
            if isinstance(data, dict) and data.get("type") == "disconnect":
                raise _Unavailable(f"Slack closed the new connection ({data.get('reason')})")
        elif message.type in (
            aiohttp.WSMsgType.CLOSE,
            aiohttp.WSMsgType.CLOSING,
            aiohttp.WSMsgType.CLOSED,
            aiohttp.WSMsgType.ERROR,
        ):
            raise _Unavailable("the connection closed before Slack said hello")


async def _drop(session: aiohttp.ClientWebSocketResponse) -> None:
    with contextlib.suppress(Exception, asyncio.TimeoutError):
        await asyncio.wait_for(session.close(), CLOSE_SECONDS)


class _BoltHandler(AsyncSocketModeHandler):
    """Bolt's dispatch and ack for envelopes from our client (the base would make its own client)."""

    def __init__(self, app: AsyncApp, client: SupervisedClient):
        self.app, self.app_token, self.client = app, client.app_token, client
        client.socket_mode_request_listeners.append(self.handle)

    async def handle(self, client: Any, req: SocketModeRequest) -> None:
        found = envelope_problem(req.payload)
        if found:
            # As /slack/events answers 400: nothing the bot can do with it. Acked, so Slack does not resend it.
            log.info("Socket Mode %s envelope the bot cannot read: %s", req.type, found)
            await client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
            return
        await super().handle(client, req)


class SocketModeSupervisor:
    """Keeps one Socket Mode connection open for `bolt`, and `link` saying how it stands."""

    def __init__(
        self,
        bolt: AsyncApp,
        app_token: str,
        api_url: str,
        link: SlackLink,
        *,
        backoff: Backoff | None = None,
        refused_backoff: Backoff | None = None,
    ):
        self.bolt = bolt
        self.app_token = app_token
        self.link = link
        self.backoff = backoff or Backoff(first=1.0, cap=30.0)
        self.refused_backoff = refused_backoff or Backoff(first=30.0, cap=300.0)
        # Its own Web API client: no retry handlers (the supervisor retries), a short timeout.
        self.web = AsyncWebClient(base_url=api_url, timeout=OPEN_SECONDS)
        self.client: SupervisedClient | None = None

    async def run(self) -> None:
        """Connect, stay connected, reconnect; until cancelled (then everything is closed)."""
        self.client = client = SupervisedClient(self.app_token, self.web)
        _BoltHandler(self.bolt, client)
        failures = 0
        try:
            while True:
                try:
                    client.wss_uri = await self._open()
                    await asyncio.wait_for(client.connect(), CONNECT_SECONDS)
                except _Refused as refused:
                    failures += 1
                    self.link.change(
                        REFUSED,
                        f"SLACK_APP_TOKEN was refused by Slack ({refused}): create an "
                        "app-level token with the connections:write scope (Basic Information → "
                        "App-Level Tokens), turn Socket Mode on, and restart the bot",
                        level=logging.ERROR,
                    )
                    await asyncio.sleep(self.refused_backoff.delay(failures))
                    continue
                except Exception as error:  # noqa: BLE001 - unreachable, timed out, a refused upgrade, a bad hello
                    failures += 1
                    self.link.change(
                        UNREACHABLE, f"Socket Mode cannot connect ({_describe(error)}); retrying with backoff"
                    )
                    retry_after = getattr(error, "retry_after", None)
                    await asyncio.sleep(max(retry_after or 0.0, self.backoff.delay(failures)))
                    continue
                failures = 0
                self.link.change(CONNECTED, "Socket Mode connection open")
                await client.wanted.wait()
                if client.refresh:
                    # Routine: Slack moves connections around. The old one serves until the new one is open.
                    log.info("Slack asked for a new Socket Mode connection: opening one")
                else:
                    self.link.change(RECONNECTING, "the Socket Mode connection was lost; reconnecting")
                    await client.abandon()
        finally:
            await client.close()

    async def _open(self) -> str:
        """A WebSocket URL from apps.connections.open, or why there is none."""
        try:
            answer = await self.web.apps_connections_open(app_token=self.app_token)
        except SlackApiError as error:
            code = error.response.data.get("error") if isinstance(error.response.data, dict) else None
            if code in TOKEN_REFUSALS:
                raise _Refused(code) from None
            retry_after = error.response.headers.get("Retry-After") if code == "ratelimited" else None
            raise _Unavailable(
                f"apps.connections.open answered {error.response.status_code} {code or ''}".strip(),
                float(retry_after) if retry_after and retry_after.isdigit() else None,
            ) from None
        except Exception as error:  # noqa: BLE001 - any failure to get an answer: Slack is not reachable
            raise _Unavailable(f"apps.connections.open: {_describe(error)}") from None
        url = answer.get("url")
        if not isinstance(url, str) or not url:
            raise _Unavailable("apps.connections.open answered without a url")
        return url


def _describe(error: BaseException) -> str:
    text = str(error)
    if isinstance(error, (_Unavailable, _Refused)):
        return text
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
