"""Socket Mode in the Slack stand-in: apps.connections.open, the WebSocket, envelopes and their acks.

As Slack documents it ("Using Socket Mode", docs.slack.dev; the apps.connections.open reference):

- `POST apps.connections.open` with the app-level token (`xapp-…`) in the Authorization header
  answers `{"ok": true, "url": …}`, a WebSocket URL that works once. A wrong or revoked token is
  `invalid_auth`, a bot token `not_allowed_token_type`, a token only in the body `not_authed`.
- On a new connection the server speaks first: `{"type": "hello", "num_connections", …}`.
- Each envelope `{envelope_id, type: slash_commands|interactive|events_api, payload,
  accepts_response_payload, retry_attempt, retry_reason}` goes to one connection of the app, and
  the app acks it with `{"envelope_id", "payload"?}` within 3 seconds; the payload is what an HTTP
  response body would be, and counts only where Slack reads one (`accepts_response_payload`).
- `{"type": "disconnect", "reason": "refresh_requested"|"warning"|…}` asks the app for a new
  connection; the old one is closed a little later. Up to 10 connections per app.

*Assumed* (not documented; kept here to correct in one place): a URL expires after
`TICKET_SECONDS` unused; a refreshed connection is closed `StandInConfig.socket_refresh_grace`
seconds after its disconnect message; an ack is matched by envelope_id on any of the app's
connections; an 11th connection is told `too_many_websockets` and closed.

Drill controls: `refuse_token()` (the app token was revoked: invalid_auth), `make_unreachable()`
(apps.connections.open is never answered, as behind a firewall that drops packets), `let_in()`
to undo either; `drop_connections()` closes every socket without a word.

The WebSocket side runs on the stand-in's server loop, the driver calls `deliver` from its own
thread: shared state is under one lock, and sends are handed to the connection's loop.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.websockets import WebSocket, WebSocketDisconnect

from bot.sandbox.slack.waiting import wait_until

if TYPE_CHECKING:
    from bot.sandbox.slack.web_api import SlackStandIn

METHOD = "apps.connections.open"
LINK_PATH = "/link/"
ACK_DEADLINE = 3.0
MAX_CONNECTIONS = 10
TICKET_SECONDS = 30.0
APP_TOKEN_SCOPES = "connections:write"
# The interactions whose HTTP answer Slack reads (a view submission's response_action, a
# suggestion's options); a slash command's ack is shown to its user; an event's ack is only an ack.
_ANSWERED_INTERACTIONS = frozenset({"view_submission", "block_suggestion"})


def accepts_response_payload(kind: str, payload: dict) -> bool:
    if kind == "slash_commands":
        return True
    return kind == "interactive" and payload.get("type") in _ANSWERED_INTERACTIONS


@dataclass
class Delivery:
    """One envelope sent to the app and what came back."""

    envelope: dict
    connection: int | None  # which connection carried it; None: there was none
    sent_at: float  # time.monotonic()
    acked: bool = False
    ack_payload: Any = None  # the ack's `payload`, as sent (None when it had none)
    elapsed: float | None = None  # seconds from send to ack
    done: Future = field(default_factory=Future, repr=False)

    @property
    def envelope_id(self) -> str:
        return self.envelope["envelope_id"]

    @property
    def in_time(self) -> bool:
        return self.acked and self.elapsed is not None and self.elapsed <= ACK_DEADLINE

    @property
    def response_payload(self) -> dict | None:
        """The ack's payload where Slack reads it (in time, for a type that accepts one), else None."""
        if self.in_time and self.envelope["accepts_response_payload"] and isinstance(self.ack_payload, dict):
            return self.ack_payload
        return None


@dataclass
class _Ticket:
    issued: float
    used: bool = False


@dataclass
class _Connection:
    id: int
    websocket: WebSocket
    loop: asyncio.AbstractEventLoop
    opened_at: float
    disconnect_reason: str | None = None  # set once Slack asked it to go
    closed: bool = False


@dataclass(frozen=True)
class ConnectionInfo:
    id: int
    opened_at: float
    disconnect_reason: str | None


class SocketModeServer:
    def __init__(self, standin: SlackStandIn):
        self.standin = standin
        self._lock = threading.Condition(threading.RLock())
        self._tickets: dict[str, _Ticket] = {}
        self._connections: dict[int, _Connection] = {}
        self._ids = itertools.count(1)
        self._turn = itertools.count()
        self._pending: dict[str, Delivery] = {}
        self._deliveries: list[Delivery] = []
        self._gate: str | None = None  # None (open), "refused" or "unreachable"
        self.stopping = False

    # ---- drill controls ------------------------------------------------------------------

    def refuse_token(self) -> None:
        """The app-level token was revoked: apps.connections.open answers invalid_auth."""
        with self._lock:
            self._gate = "refused"

    def make_unreachable(self) -> None:
        """apps.connections.open is never answered (held until `let_in` or the caller gives up)."""
        with self._lock:
            self._gate = "unreachable"

    def let_in(self) -> None:
        with self._lock:
            self._gate = None
            self._lock.notify_all()

    def drop_connections(self) -> None:
        """Close every connection at once, with no disconnect message first (a network cut)."""
        for connection in self._live():
            self._close(connection, code=1011)

    # ---- apps.connections.open -----------------------------------------------------------

    async def open_connection(self, request: Request, token: str | None, token_in_header: bool) -> tuple[int, dict]:
        """The Web API method: (HTTP status, body). Held while the stand-in is unreachable."""
        while self._gate == "unreachable" and not self.stopping:
            if await request.is_disconnected():
                return 0, {}  # the caller gave up: nobody to answer
            await asyncio.sleep(0.05)
        config = self.standin.config
        if request.method != "POST":
            return 200, {"ok": False, "error": "insecure_request"}
        if token is None or not token_in_header:
            # Slack documents that this method takes its token only in the Authorization header.
            return 200, {"ok": False, "error": "not_authed"}
        if token == config.bot_token or token.startswith(("xoxb-", "xoxp-")):
            return 200, {"ok": False, "error": "not_allowed_token_type"}
        if token != config.app_token or self._gate == "refused":
            return 200, {"ok": False, "error": "invalid_auth"}
        ticket = secrets.token_hex(16)
        with self._lock:
            self._tickets[ticket] = _Ticket(time.monotonic())
        base = self.standin.url.replace("http://", "ws://", 1).replace("https://", "wss://", 1)
        return 200, {"ok": True, "url": f"{base}{LINK_PATH}?ticket={ticket}&app_id={config.app_id}"}

    def _take_ticket(self, ticket: str | None) -> bool:
        with self._lock:
            found = self._tickets.get(ticket or "")
            if found is None or found.used or time.monotonic() - found.issued > TICKET_SECONDS:
                return False
            found.used = True
            return True

    # ---- the WebSocket -------------------------------------------------------------------

    async def serve(self, websocket: WebSocket) -> None:
        if not self._take_ticket(websocket.query_params.get("ticket")):
            await websocket.close(code=1008)  # before accept: the upgrade is refused (HTTP 403)
            return
        await websocket.accept()
        with self._lock:
            too_many = len([c for c in self._connections.values() if not c.closed]) >= MAX_CONNECTIONS
            connection = _Connection(next(self._ids), websocket, asyncio.get_running_loop(), time.monotonic())
            if not too_many:
                self._connections[connection.id] = connection
            count = len(self._live())
        if too_many:
            await websocket.send_text(
                json.dumps(
                    {"type": "disconnect", "reason": "too_many_websockets", "debug_info": {"host": "applink-standin"}}
                )
            )
            await websocket.close(code=1008)
            return
        await websocket.send_text(
            json.dumps(
                {
                    "type": "hello",
                    "num_connections": count,
                    "debug_info": {"host": "applink-standin", "build_number": 1, "approximate_connection_time": 18060},
                    "connection_info": {"app_id": self.standin.config.app_id},
                }
            )
        )
        with self._lock:
            self._lock.notify_all()  # hello sent: the connection takes envelopes
        try:
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    break
                if message.get("text") is not None:
                    self._receive(message["text"])
        except (WebSocketDisconnect, RuntimeError):  # closed under us
            pass
        finally:
            with self._lock:
                connection.closed = True
                self._connections.pop(connection.id, None)
                self._lock.notify_all()

    def _receive(self, text: str) -> None:
        try:
            message = json.loads(text)
        except ValueError:
            return  # Slack ignores what it cannot read; the envelope stays unacked
        if not isinstance(message, dict) or not isinstance(message.get("envelope_id"), str):
            return
        with self._lock:
            delivery = self._pending.pop(message["envelope_id"], None)
            if delivery is None:
                return  # an ack for nothing we sent, or a second one
            delivery.acked = True
            delivery.ack_payload = message.get("payload")
            delivery.elapsed = time.monotonic() - delivery.sent_at
            self._lock.notify_all()
        delivery.done.set_result(delivery)

    def _live(self) -> list[_Connection]:
        with self._lock:
            return [c for c in self._connections.values() if not c.closed]

    def _send(self, connection: _Connection, message: dict, timeout: float = 5.0) -> bool:
        if connection.loop.is_closed():
            return False
        sent = asyncio.run_coroutine_threadsafe(connection.websocket.send_text(json.dumps(message)), connection.loop)
        try:
            sent.result(timeout)
            return True
        except Exception:  # noqa: BLE001 - closed under us: the caller picks another or reports it
            return False

    def _close(self, connection: _Connection, *, code: int = 1000, after: float = 0.0) -> None:
        async def close() -> None:
            await asyncio.sleep(after)
            try:
                await connection.websocket.close(code=code)
            except RuntimeError:
                pass  # already closed

        if not connection.loop.is_closed():
            asyncio.run_coroutine_threadsafe(close(), connection.loop)

    # ---- what the driver and tests use ---------------------------------------------------

    def connections(self) -> list[ConnectionInfo]:
        """The app's open connections (hello sent), oldest first."""
        return [ConnectionInfo(c.id, c.opened_at, c.disconnect_reason) for c in self._live()]

    def deliveries(self) -> list[Delivery]:
        with self._lock:
            return list(self._deliveries)

    def wait_for(self, predicate: Callable[[SocketModeServer], Any], timeout: float = 10.0) -> Any:
        return wait_until(self._lock, lambda: predicate(self), timeout, "Socket Mode condition")

    def wait_for_connection(self, timeout: float = 10.0, *, newer_than: int = 0) -> ConnectionInfo:
        """The newest connection not asked to go (and opened after connection `newer_than`)."""

        def fresh(server: SocketModeServer) -> ConnectionInfo | None:
            ready = [c for c in server.connections() if c.disconnect_reason is None and c.id > newer_than]
            return ready[-1] if ready else None

        return self.wait_for(fresh, timeout)

    def deliver(
        self, kind: str, payload: dict, *, retry_attempt: int = 0, retry_reason: str = "", timeout: float = 10.0
    ) -> Delivery:
        """Send one envelope to a connection of the app (waiting up to `timeout` for one) and wait
        up to `timeout` for its ack. The Delivery says what came back, and when."""
        envelope = {
            "envelope_id": str(uuid.uuid4()),
            "type": kind,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload(kind, payload),
            "retry_attempt": retry_attempt,
            "retry_reason": retry_reason,
        }
        deadline = time.monotonic() + timeout
        while True:
            try:
                connection = self._pick(max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                delivery = Delivery(envelope, None, time.monotonic())
                break
            delivery = Delivery(envelope, connection.id, time.monotonic())
            with self._lock:
                self._pending[delivery.envelope_id] = delivery
            if self._send(connection, envelope):
                break
            with self._lock:  # it closed as we sent: Slack sends it on another
                self._pending.pop(delivery.envelope_id, None)
                connection.closed = True
            if time.monotonic() > deadline:
                break
        with self._lock:
            self._deliveries.append(delivery)
        if delivery.connection is not None:
            try:
                delivery.done.result(max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                with self._lock:
                    self._pending.pop(delivery.envelope_id, None)
        return delivery

    def _pick(self, timeout: float) -> _Connection:
        """A live connection, those not asked to go first, in turn."""

        def candidates(server: SocketModeServer) -> list[_Connection] | None:
            live = server._live()
            staying = [c for c in live if c.disconnect_reason is None]
            return staying or live or None

        found = self.wait_for(candidates, timeout)
        return found[next(self._turn) % len(found)]

    def request_reconnect(self, reason: str = "refresh_requested", *, close_after: float | None = None) -> list[int]:
        """Slack's `disconnect` message on every open connection; each is closed `close_after`
        seconds later (default: the config's socket_refresh_grace). Returns the connections told."""
        grace = self.standin.config.socket_refresh_grace if close_after is None else close_after
        told = []
        for connection in self._live():
            with self._lock:
                connection.disconnect_reason = reason
            if self._send(
                connection, {"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-standin"}}
            ):
                told.append(connection.id)
            self._close(connection, after=grace)
        return told

    def close(self) -> None:
        """The stand-in is stopping: held calls give up, sockets close."""
        self.stopping = True
        for connection in self._live():
            self._close(connection, code=1001)
