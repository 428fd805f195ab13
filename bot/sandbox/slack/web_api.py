"""The Slack stand-in: a real HTTP server speaking Slack's Web API, with state tests can read.

`SlackStandIn` holds the workspace (channels, users, messages and threads, views, files) and
answers the methods in `methods.py`; `create_app` wraps it in a Starlette app with Slack's URL
layout: `/api/<method>`, private file downloads under `/files-pri/`, and response URLs under
`/hooks/`. Point slack_sdk at `standin.api_url` (`http://127.0.0.1:<port>/api/`). Socket Mode
(apps.connections.open and the WebSocket under `/link/`) is `standin.socket_mode` (socket_mode.py).

The server runs on a BackgroundServer thread while tests read state from theirs, so every
state access goes through one lock; readers get deep copies.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route, WebSocketRoute

from bot.background_server import BackgroundServer
from bot.sandbox.slack import blocks as bk
from bot.sandbox.slack import socket_mode
from bot.sandbox.slack.waiting import wait_until

T = TypeVar("T")

RESPONSE_URL_USES = 5  # a response_url works 5 times …
RESPONSE_URL_LIFETIME = 30 * 60  # … within 30 minutes
MAX_FILE_SIZE = 10 * 1024 * 1024  # file_input refuses bigger files in the client
_JSON_ARGS = ("blocks", "view", "attachments", "metadata")


@dataclass
class StandInConfig:
    bot_token: str = "xoxb-0000000000-standin-bot-token"
    app_token: str = "xapp-1-A0STANDIN1-0000000000-standin-app-token"  # app-level, connections:write
    socket_refresh_grace: float = 10.0  # seconds a connection stays open after its disconnect message
    team_id: str = "T0STANDIN1"
    team_name: str = "Stand-in Workspace"
    team_domain: str = "standin"
    app_id: str = "A0STANDIN1"
    bot_id: str = "B0STANDIN1"
    bot_user_id: str = "U0BOTUSER1"
    bot_name: str = "resourcebot"
    channels: dict[str, str] = field(default_factory=lambda: {"C0GENERAL1": "general", "C0RESOURCE": "resources"})
    users: list[dict] = field(
        default_factory=lambda: [
            {"id": "U0ALICE001", "name": "alice", "real_name": "Alice Anders", "email": "alice@example.com"},
            {"id": "U0BOB00001", "name": "bob", "real_name": "Bob Brandt", "email": "bob@example.com"},
        ]
    )
    rate_limits: bool = True
    post_message_per_second: float = 1.0  # per channel, as Slack documents for chat.postMessage
    post_message_burst: int = 3  # Slack tolerates short bursts
    rate_limit_speedup: float = 1.0  # >1 lets tests run the same shape faster
    trigger_ttl: float = 3.0
    # What the installed app was granted; Slack names them in every Web API answer's
    # X-OAuth-Scopes header. By default: what resourcebot's manifest asks for.
    bot_scopes: tuple[str, ...] = (
        "commands",
        "chat:write",
        "chat:write.public",
        "channels:history",
        "groups:history",
        "im:history",
        "mpim:history",
        "files:read",
        "im:write",
        "usergroups:read",
    )


@dataclass(frozen=True)
class Call:
    """One request the stand-in answered, in arrival order."""

    method: str
    args: dict
    at: float  # wall-clock time
    status: int  # HTTP status
    response: Any  # the JSON body (or None for raw answers)

    @property
    def ok(self) -> bool:
        return self.status == 200 and isinstance(self.response, dict) and self.response.get("ok") is True

    @property
    def error(self) -> str | None:
        return self.response.get("error") if isinstance(self.response, dict) else None


@dataclass
class Fault:
    """Answer `status` instead of working, for some methods, for a while or N times."""

    status: int = 500
    methods: frozenset[str] | None = None  # None: every method
    remaining: int | None = None  # None: no count limit
    until: float | None = None  # stand-in clock; None: no time limit
    retry_after: int | None = None
    delay: float = 0.0  # seconds before answering


class SlackError(Exception):
    """A Web API error answer: `{"ok": false, "error": ...}` with an HTTP status."""

    def __init__(
        self,
        error: str,
        *,
        status: int = 200,
        messages: list[str] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ):
        super().__init__(error)
        self.error, self.status, self.headers = error, status, headers or {}
        self.body: dict[str, Any] = {"ok": False, "error": error, **extra}
        if messages:
            self.body["response_metadata"] = {"messages": messages}


@dataclass
class _Trigger:
    user: str
    issued: float
    used: bool = False


@dataclass
class _Hook:
    """A response_url: bound to a channel and user, maybe to the message that was clicked."""

    channel: str
    user: str
    source_ts: str | None
    ephemeral: bool
    issued: float
    uses: int = 0


class SlackStandIn:
    def __init__(self, config: StandInConfig | None = None):
        self.config = config or StandInConfig()
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._offset = 0.0
        self._last_ts_us = 0
        self._ids = itertools.count(1)
        self._users: dict[str, dict] = {}
        self._channels: dict[str, dict] = {}
        self._usergroups: dict[str, list[str]] = {}  # user group id (S…) -> its members' ids
        self._messages: dict[str, list[dict]] = {}
        self._ephemeral: dict[str, list[dict]] = {}
        self._edits: dict[tuple[str, str], list[dict]] = {}
        self._views: dict[str, dict] = {}
        self._view_user: dict[str, str] = {}
        self._stacks: dict[str, list[str]] = {}
        self._homes: dict[str, str] = {}
        self._triggers: dict[str, _Trigger] = {}
        self._hooks: dict[str, _Hook] = {}
        self._files: dict[str, tuple[dict, bytes]] = {}
        self._calls: list[Call] = []
        self._faults: list[Fault] = []
        self._buckets: dict[str, tuple[float, float]] = {}
        self._server: BackgroundServer | None = None
        self.url = "http://slack.invalid"
        self.socket_mode = socket_mode.SocketModeServer(self)
        for channel_id, name in self.config.channels.items():
            self.add_channel(channel_id, name)
        for user in self.config.users:
            self.add_user(**user)

    # ---- running -------------------------------------------------------------------------

    def start(self, host: str = "127.0.0.1", port: int = 0) -> SlackStandIn:
        self._server = BackgroundServer(create_app(self), host, port).start()
        self.url = self._server.url
        return self

    def stop(self) -> None:
        self.socket_mode.close()
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> SlackStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def api_url(self) -> str:
        """The value for SLACK_API_URL / AsyncWebClient(base_url=...): ends with a slash."""
        return self.url + "/api/"

    # ---- clock and ids ---------------------------------------------------------------------

    def now(self) -> float:
        """The stand-in's clock (monotonic seconds), which `advance` moves forward."""
        return time.monotonic() + self._offset

    def advance(self, seconds: float) -> None:
        """Move time on: expires triggers and response URLs, ends fault windows, refills limits."""
        with self._lock:
            self._offset += seconds
            self._changed.notify_all()

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08X}"

    def _next_ts(self) -> str:
        # Slack timestamps are "seconds.microseconds" strings, unique and increasing per workspace.
        now_us = int(time.time() * 1_000_000)
        self._last_ts_us = max(now_us, self._last_ts_us + 1)
        return f"{self._last_ts_us // 1_000_000}.{self._last_ts_us % 1_000_000:06d}"

    # ---- workspace -----------------------------------------------------------------------

    def add_channel(self, channel_id: str, name: str) -> dict:
        with self._lock:
            self._channels[channel_id] = {"id": channel_id, "name": name, "is_im": False}
            self._messages.setdefault(channel_id, [])
            return dict(self._channels[channel_id])

    def add_usergroup(self, group_id: str, users: list[str]) -> None:
        """A user group (S…) and its members, as usergroups.users.list answers them."""
        with self._lock:
            self._usergroups[group_id] = list(users)

    def add_user(
        self,
        id: str,
        name: str,
        real_name: str | None = None,
        email: str | None = None,
        tz: str = "Europe/Zagreb",
        is_admin: bool = False,
        is_bot: bool = False,
    ) -> dict:
        real_name = real_name or name
        user = {
            "id": id,
            "team_id": self.config.team_id,
            "name": name,
            "deleted": False,
            "real_name": real_name,
            "tz": tz,
            "tz_label": "Central European Time",
            "tz_offset": 3600,
            "profile": {
                "real_name": real_name,
                "real_name_normalized": real_name,
                "display_name": name,
                "display_name_normalized": name,
                "email": email or f"{name}@example.com",
                "team": self.config.team_id,
            },
            "is_admin": is_admin,
            "is_owner": False,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": is_bot,
            "is_app_user": False,
            "updated": int(time.time()),
        }
        with self._lock:
            self._users[id] = user
            return copy.deepcopy(user)

    def user(self, user_id: str) -> dict | None:
        with self._lock:
            return copy.deepcopy(self._users.get(user_id))

    def user_name(self, user_id: str) -> str:
        with self._lock:
            if user_id == self.config.bot_user_id:
                return self.config.bot_name
            user = self._users.get(user_id)
            return user["name"] if user else user_id

    def channel_name(self, channel_id: str) -> str:
        with self._lock:
            channel = self._channels.get(channel_id)
            return channel["name"] if channel else channel_id

    def dm_channel(self, user_id: str) -> str:
        """The id of the app's direct-message channel with a user (made on first use)."""
        with self._lock:
            for channel in self._channels.values():
                if channel["is_im"] and channel.get("user") == user_id:
                    return channel["id"]
            channel_id = self._next_id("D")
            self._channels[channel_id] = {"id": channel_id, "name": channel_id, "is_im": True, "user": user_id}
            self._messages[channel_id] = []
            return channel_id

    def resolve_channel(self, value: Any) -> str:
        """A channel id from what a caller may pass: an id, `#name`, `name`, or a user id (DM)."""
        with self._lock:
            if not isinstance(value, str) or not value:
                raise SlackError("channel_not_found")
            if value in self._channels:
                return value
            if value[0] in "UW" and value in self._users:
                return self.dm_channel(value)
            name = value.lstrip("#")
            for channel in self._channels.values():
                if channel["name"] == name and not channel["is_im"]:
                    return channel["id"]
            raise SlackError("channel_not_found")

    # ---- messages (read side) ------------------------------------------------------------

    def messages(self, channel: str) -> list[dict]:
        """Top-level messages of a channel, oldest first, as currently shown."""
        with self._lock:
            return copy.deepcopy([m for m in self._messages.get(channel, []) if m.get("thread_ts", m["ts"]) == m["ts"]])

    def message(self, channel: str, ts: str) -> dict | None:
        with self._lock:
            found = self._find_message(channel, ts)
            return copy.deepcopy(found) if found else None

    def root(self, channel: str, ts: str) -> dict | None:
        """The thread's root message as currently shown (after any chat.update)."""
        return self.message(channel, ts)

    def thread(self, channel: str, ts: str) -> list[dict]:
        """[root, *replies] in order; empty when there is no such message."""
        with self._lock:
            root = self._find_message(channel, ts)
            if root is None:
                return []
            replies = [m for m in self._messages[channel] if m.get("thread_ts") == ts and m["ts"] != ts]
            return copy.deepcopy([root, *replies])

    def edits(self, channel: str, ts: str) -> list[dict]:
        """Earlier versions of a message, oldest first (what chat.update replaced)."""
        with self._lock:
            return copy.deepcopy(self._edits.get((channel, ts), []))

    def ephemeral(self, channel: str | None = None, user: str | None = None) -> list[dict]:
        """Ephemeral messages (chat.postEphemeral, response URLs, command acks), oldest first."""
        with self._lock:
            found = [
                m
                for ch, items in self._ephemeral.items()
                if channel in (None, ch)
                for m in items
                if user in (None, m["user"])
            ]
            return copy.deepcopy(sorted(found, key=lambda m: m["ts"]))

    def _find_message(self, channel: str, ts: str) -> dict | None:
        for message in self._messages.get(channel, []):
            if message["ts"] == ts:
                return message
        return None

    # ---- messages (write side, used by methods and response URLs) ---------------------------

    def _bot_message(self, text: str, blocks: list | None, ts: str, extra: dict) -> dict:
        message = {
            "type": "message",
            "text": text,
            "user": self.config.bot_user_id,
            "bot_id": self.config.bot_id,
            "app_id": self.config.app_id,
            "team": self.config.team_id,
            "ts": ts,
            "bot_profile": {
                "id": self.config.bot_id,
                "app_id": self.config.app_id,
                "name": self.config.bot_name,
                "deleted": False,
                "team_id": self.config.team_id,
            },
        }
        if blocks is not None:
            message["blocks"] = blocks
        for key in ("attachments", "metadata"):
            if extra.get(key) is not None:
                message[key] = extra[key]
        return message

    def _post(
        self, channel: str, text: str, blocks: list | None, thread_ts: str | None, extra: dict | None = None
    ) -> dict:
        """Store a bot message in a channel (or a thread) and return it."""
        with self._lock:
            ts = self._next_ts()
            message = self._bot_message(text, blocks, ts, extra or {})
            if thread_ts:
                root = self._find_message(channel, thread_ts)
                if root is not None:
                    # A reply to a reply lands in the root's thread, as in Slack.
                    root = self._find_message(channel, root.get("thread_ts", root["ts"])) or root
                    message["thread_ts"] = root["ts"]
                    message["parent_user_id"] = root["user"]
                    root["thread_ts"] = root["ts"]
                    root["reply_count"] = root.get("reply_count", 0) + 1
                    users = root.setdefault("reply_users", [])
                    if self.config.bot_user_id not in users:
                        users.append(self.config.bot_user_id)
                    root["reply_users_count"] = len(users)
                    root["latest_reply"] = ts
                else:
                    message["thread_ts"] = thread_ts
            self._messages.setdefault(channel, []).append(message)
            self._changed.notify_all()
            return copy.deepcopy(message)

    def _edit(self, channel: str, ts: str, changes: dict) -> dict:
        with self._lock:
            message = self._find_message(channel, ts)
            if message is None:
                raise SlackError("message_not_found")
            self._edits.setdefault((channel, ts), []).append(copy.deepcopy(message))
            for key, value in changes.items():
                if value is not None:
                    message[key] = value
            message["edited"] = {"user": self.config.bot_user_id, "ts": self._next_ts()}
            self._changed.notify_all()
            return copy.deepcopy(message)

    def _delete(self, channel: str, ts: str) -> None:
        with self._lock:
            message = self._find_message(channel, ts)
            if message is None:
                raise SlackError("message_not_found")
            self._messages[channel].remove(message)
            self._changed.notify_all()

    def _post_ephemeral(
        self, channel: str, user: str, text: str, blocks: list | None, thread_ts: str | None, source: str
    ) -> dict:
        with self._lock:
            message = self._bot_message(text, blocks, self._next_ts(), {})
            message.update({"user": user, "from": self.config.bot_user_id, "source": source})
            if thread_ts:
                message["thread_ts"] = thread_ts
            self._ephemeral.setdefault(channel, []).append(message)
            self._changed.notify_all()
            return copy.deepcopy(message)

    # ---- response URLs -------------------------------------------------------------------

    def new_response_url(
        self, kind: str, channel: str, user: str, *, source_ts: str | None = None, ephemeral: bool = False
    ) -> str:
        """A response_url like Slack's `https://hooks.slack.com/<kind>/T…/<n>/<secret>`."""
        with self._lock:
            path = f"/hooks/{kind}/{self.config.team_id}/{next(self._ids)}/{secrets.token_hex(12)}"
            self._hooks[path] = _Hook(channel, user, source_ts, ephemeral, self.now())
            return self.url + path

    def respond(
        self,
        channel: str,
        user: str,
        body: dict,
        *,
        source_ts: str | None = None,
        ephemeral_source: bool = False,
        via: str = "response_url",
    ) -> None:
        """Apply a response_url body (or a slash command's ack body) as Slack shows it."""
        text = body.get("text", "")
        blocks = body.get("blocks")
        if blocks is not None:
            problems = bk.check_blocks(blocks, "/blocks", bk.MAX_MESSAGE_BLOCKS)
            if problems:
                raise SlackError("invalid_blocks", messages=problems)
            bk.fill_ids(blocks)
        with self._lock:
            if body.get("delete_original") in (True, "true") and source_ts:
                if ephemeral_source:
                    self._ephemeral[channel] = [m for m in self._ephemeral.get(channel, []) if m["ts"] != source_ts]
                    self._changed.notify_all()
                else:
                    self._delete(channel, source_ts)
                return
            if body.get("replace_original") in (True, "true") and source_ts:
                if ephemeral_source:
                    for message in self._ephemeral.get(channel, []):
                        if message["ts"] == source_ts:
                            message.update({"text": text, "blocks": blocks or []})
                    self._changed.notify_all()
                else:
                    self._edit(channel, source_ts, {"text": text, "blocks": blocks or []})
                return
            thread_ts = body.get("thread_ts")
            if body.get("response_type") == "in_channel":
                self._post(channel, text, blocks, thread_ts)
            else:
                self._post_ephemeral(channel, user, text, blocks, thread_ts, via)

    def _use_hook(self, path: str, body: dict) -> tuple[int, dict]:
        with self._lock:
            hook = self._hooks.get(path)
            if hook is None:
                return 404, {"ok": False, "error": "no_service"}
            if self.now() - hook.issued > RESPONSE_URL_LIFETIME:
                return 404, {"ok": False, "error": "expired_url"}
            if hook.uses >= RESPONSE_URL_USES:
                return 404, {"ok": False, "error": "used_url"}
            hook.uses += 1
            try:
                self.respond(hook.channel, hook.user, body, source_ts=hook.source_ts, ephemeral_source=hook.ephemeral)
            except SlackError as exc:
                return 400, exc.body
            return 200, {"ok": True}

    # ---- views -----------------------------------------------------------------------------

    def issue_trigger(self, user: str) -> str:
        """A trigger_id as Slack puts in an interaction payload: usable once, for 3 seconds."""
        with self._lock:
            trigger = f"{int(time.time())}.{next(self._ids)}.{secrets.token_hex(16)}"
            self._triggers[trigger] = _Trigger(user, self.now())
            return trigger

    def _exchange_trigger(self, trigger_id: Any) -> str:
        trigger = self._triggers.get(trigger_id) if isinstance(trigger_id, str) else None
        if trigger is None:
            raise SlackError("invalid_trigger_id")
        if trigger.used:
            raise SlackError("exchanged_trigger_id")
        if self.now() - trigger.issued > self.config.trigger_ttl:
            raise SlackError("expired_trigger_id")
        trigger.used = True
        return trigger.user

    def view(self, view_id: str) -> dict | None:
        with self._lock:
            return copy.deepcopy(self._views.get(view_id))

    def view_stack(self, user: str) -> list[dict]:
        """The user's open modal views, root first."""
        with self._lock:
            return copy.deepcopy([self._views[v] for v in self._stacks.get(user, [])])

    def current_view(self, user: str) -> dict | None:
        """The modal view on top of the user's stack, or None when no modal is open."""
        stack = self.view_stack(user)
        return stack[-1] if stack else None

    def home_view(self, user: str) -> dict | None:
        with self._lock:
            view_id = self._homes.get(user)
            return copy.deepcopy(self._views[view_id]) if view_id else None

    def view_user(self, view_id: str) -> str | None:
        with self._lock:
            return self._view_user.get(view_id)

    def _store_view(self, spec: dict, user: str, *, view_id: str | None = None, over: Sequence[str] = ()) -> dict:
        """`spec` as the view `view_id`, which keeps its place in its stack, or as a new view: pushed
        `over` the views of a stack (its root first), or a stack of its own."""
        blocks = bk.fill_ids(copy.deepcopy(spec.get("blocks", [])))
        view_id = view_id or self._next_id("V")
        old = self._views.get(view_id)
        if old is not None:
            root_id, previous_id = old["root_view_id"], old["previous_view_id"]
        else:
            root_id, previous_id = (over[0], over[-1]) if over else (view_id, None)
        view = {
            "id": view_id,
            "team_id": self.config.team_id,
            "type": spec["type"],
            "blocks": blocks,
            "private_metadata": spec.get("private_metadata", ""),
            "callback_id": spec.get("callback_id", ""),
            "external_id": spec.get("external_id", ""),
            "state": {"values": self._kept_state(old, blocks)},
            "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
            "title": spec.get("title"),
            "close": spec.get("close"),
            "submit": spec.get("submit"),
            "clear_on_close": bool(spec.get("clear_on_close", False)),
            "notify_on_close": bool(spec.get("notify_on_close", False)),
            "root_view_id": root_id,
            "previous_view_id": previous_id,
            "app_id": self.config.app_id,
            "app_installed_team_id": self.config.team_id,
            "bot_id": self.config.bot_id,
        }
        external = view["external_id"]
        if external and any(v["external_id"] == external and v["id"] != view_id for v in self._views.values()):
            raise SlackError("duplicate_external_id")
        self._views[view_id] = view
        self._view_user[view_id] = user
        self._changed.notify_all()
        return view

    @staticmethod
    def _kept_state(old: dict | None, blocks: list[dict]) -> dict:
        # views.update keeps what the user typed in inputs whose block_id and action_id survive.
        if not old:
            return {}
        present = {(b.get("block_id"), e.get("action_id")) for b, e in bk.iter_elements(blocks)}
        kept: dict = {}
        for block_id, actions in old["state"]["values"].items():
            for action_id, value in actions.items():
                if (block_id, action_id) in present:
                    kept.setdefault(block_id, {})[action_id] = value
        return kept

    def set_view_state(self, view_id: str, values: dict) -> None:
        """Record what the user entered (state.values shape), as the Slack client keeps it."""
        with self._lock:
            if view_id in self._views:
                self._views[view_id]["state"] = {"values": copy.deepcopy(values)}
                self._changed.notify_all()

    def close_views(self, user: str, *, view_id: str | None = None, clear: bool = False) -> None:
        """Close the top modal (or the whole stack with clear=True), as the user or Slack does."""
        with self._lock:
            stack = self._stacks.get(user, [])
            if clear or (view_id is not None and stack and stack[0] == view_id):
                stack.clear()
            elif stack and view_id in (None, stack[-1]):
                stack.pop()
            self._changed.notify_all()

    def apply_view_response(self, user: str, view_id: str, body: Any) -> dict | None:
        """What Slack does with the bot's answer to a view_submission; returns errors if any.

        Empty body: close this view. `response_action`: errors (view stays), update (replace
        this view), push (add one), clear (close all).
        """
        action = body.get("response_action") if isinstance(body, dict) else None
        with self._lock:
            if action is None:
                self.close_views(user, view_id=view_id)
                return None
            if action == "clear":
                self.close_views(user, clear=True)
                return None
            if action == "errors":
                errors = body.get("errors") or {}
                view = self._views[view_id]
                input_ids = {b.get("block_id") for b in view["blocks"] if b.get("type") == "input"}
                unknown = sorted(set(errors) - input_ids)
                if unknown or not errors:
                    raise SlackError(
                        "invalid_arguments",
                        messages=[bk.error(f"errors must name input blocks; not: {', '.join(unknown)}", "/errors")],
                    )
                return dict(errors)
            if action in ("update", "push"):
                spec = body.get("view")
                problems = bk.check_view(spec)
                if problems:
                    raise SlackError("invalid_arguments", messages=problems)
                if action == "update":
                    self._store_view(spec, user, view_id=view_id)
                    return None
                stack = self._stacks.setdefault(user, [])
                if len(stack) >= bk.MAX_STACKED_VIEWS:
                    raise SlackError("push_limit_reached")
                view = self._store_view(spec, user, over=stack)
                stack.append(view["id"])
                return None
            raise SlackError("invalid_arguments", messages=[bk.error(f"unknown response_action {action}", "/")])

    # ---- files -----------------------------------------------------------------------------

    def add_file(
        self, name: str, mimetype: str, content: bytes, *, user: str | None = None, title: str | None = None
    ) -> dict:
        """Register an uploaded file; returns the file object as a file_input submission has it."""
        if len(content) > MAX_FILE_SIZE:
            raise ValueError("Slack's file_input refuses files over 10 MB")
        with self._lock:
            file_id = self._next_id("F")
            ext = name.rsplit(".", 1)[-1].lower() if "." in name else "binary"
            base = f"{self.url}/files-pri/{self.config.team_id}-{file_id}"
            now = int(time.time())
            meta = {
                "id": file_id,
                "created": now,
                "timestamp": now,
                "name": name,
                "title": title or name,
                "mimetype": mimetype,
                "filetype": ext,
                "pretty_type": ext.upper(),
                "user": user or next(iter(self._users), ""),
                "user_team": self.config.team_id,
                "editable": False,
                "size": len(content),
                "mode": "hosted",
                "is_external": False,
                "external_type": "",
                "is_public": False,
                "public_url_shared": False,
                "display_as_bot": False,
                "username": "",
                "url_private": f"{base}/{name}",
                "url_private_download": f"{base}/download/{name}",
                "media_display_type": "unknown",
                "permalink": f"https://{self.config.team_domain}.slack.com/files/{user or 'U0'}/{file_id}/{name}",
                "permalink_public": f"https://slack-files.com/{self.config.team_id}-{file_id}-{secrets.token_hex(5)}",
                "has_rich_preview": False,
                "file_access": "visible",
            }
            self._files[file_id] = (meta, content)
            return copy.deepcopy(meta)

    def file(self, file_id: str) -> dict | None:
        with self._lock:
            entry = self._files.get(file_id)
            return copy.deepcopy(entry[0]) if entry else None

    def _download(self, file_id: str, token: str | None) -> Response:
        with self._lock:
            entry = self._files.get(file_id)
            if token != self.config.bot_token:
                # Slack answers a wrong or missing token with its sign-in page, status 200.
                response: Response = HTMLResponse(_LOGIN_PAGE.format(team=self.config.team_name))
            elif entry is None:
                response = Response("File not found", status_code=404, media_type="text/plain")
            else:
                meta, content = entry
                response = Response(
                    content,
                    media_type=meta["mimetype"],
                    headers={"Content-Disposition": f'attachment; filename="{meta["name"]}"'},
                )
            self._record("files.download", {"file": file_id}, response.status_code, None)
            return response

    # ---- faults and rate limits -----------------------------------------------------------

    def set_fault(
        self,
        status: int = 500,
        *,
        methods: list[str] | str | None = None,
        times: int | None = None,
        seconds: float | None = None,
        retry_after: int | None = None,
        delay: float = 0.0,
    ) -> Fault:
        """Answer `status` for the next `times` calls and/or for `seconds` (both None: until
        cleared), for the given methods (None: all, `files.download` included)."""
        if isinstance(methods, str):
            methods = [methods]
        fault = Fault(
            status,
            frozenset(methods) if methods else None,
            times,
            self.now() + seconds if seconds is not None else None,
            retry_after,
            delay,
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def set_rate_limit(
        self,
        *,
        enabled: bool | None = None,
        per_second: float | None = None,
        burst: int | None = None,
        speedup: float | None = None,
    ) -> None:
        with self._lock:
            if enabled is not None:
                self.config.rate_limits = enabled
            if per_second is not None:
                self.config.post_message_per_second = per_second
            if burst is not None:
                self.config.post_message_burst = burst
            if speedup is not None:
                self.config.rate_limit_speedup = speedup
            self._buckets.clear()

    def _take_fault(self, method: str) -> Fault | None:
        with self._lock:
            now = self.now()
            self._faults = [
                f
                for f in self._faults
                if (f.remaining is None or f.remaining > 0) and (f.until is None or now < f.until)
            ]
            for fault in self._faults:
                if fault.methods is None or method in fault.methods:
                    if fault.remaining is not None:
                        fault.remaining -= 1
                    return fault
            return None

    def _check_rate(self, channel: str) -> None:
        """A token bucket per channel for chat.postMessage; over it, 429 with Retry-After."""
        config = self.config
        if not config.rate_limits:
            return
        rate = config.post_message_per_second * config.rate_limit_speedup
        now = self.now()
        tokens, last = self._buckets.get(channel, (float(config.post_message_burst), now))
        tokens = min(float(config.post_message_burst), tokens + (now - last) * rate)
        if tokens >= 1.0:
            self._buckets[channel] = (tokens - 1.0, now)
            return
        self._buckets[channel] = (tokens, now)
        wait = max(1, int(-(-(1.0 - tokens) // rate)))  # whole seconds, rounded up, as Slack sends
        raise SlackError("ratelimited", status=429, headers={"Retry-After": str(wait)})

    # ---- calls -------------------------------------------------------------------------

    def _record(self, method: str, args: dict, status: int, response: Any) -> None:
        args = copy.deepcopy(args)
        for key in _JSON_ARGS:
            # Forms carry blocks and views as JSON strings; record them decoded either way.
            if isinstance(args.get(key), str):
                try:
                    args[key] = json.loads(args[key])
                except ValueError:
                    pass
        with self._lock:
            self._calls.append(Call(method, args, time.time(), status, copy.deepcopy(response)))
            self._changed.notify_all()

    def calls(self, method: str | None = None) -> list[Call]:
        """Every request answered so far (API methods, downloads, response URLs), in order."""
        with self._lock:
            return [c for c in self._calls if method in (None, c.method)]

    def clear_calls(self) -> None:
        with self._lock:
            self._calls.clear()

    def wait_for(self, predicate: Callable[[SlackStandIn], T], timeout: float = 5.0) -> T:
        """Block until predicate(standin) is truthy (re-checked on every change); return it."""
        return wait_until(self._changed, lambda: predicate(self), timeout, "condition")

    async def wait_for_async(self, predicate: Callable[[SlackStandIn], T], timeout: float = 5.0) -> T:
        return await asyncio.to_thread(self.wait_for, predicate, timeout)

    # ---- the Web API -------------------------------------------------------------------

    def call(self, method: str, args: dict, token: str | None) -> tuple[int, dict, dict[str, str]]:
        """Answer one Web API call: (HTTP status, JSON body, extra headers). Records it."""
        from bot.sandbox.slack.methods import METHODS

        try:
            if token is None:
                raise SlackError("not_authed")
            if token != self.config.bot_token:
                raise SlackError("invalid_auth")
            handler = METHODS.get(method)
            if handler is None:
                raise SlackError("unknown_method", status=404, req_method=method)
            with self._lock:
                status, body, headers = 200, handler(self, args), {}
        except SlackError as exc:
            status, body, headers = exc.status, exc.body, exc.headers
        if token == self.config.bot_token:
            headers = {**headers, "X-OAuth-Scopes": ",".join(self.config.bot_scopes)}
        self._record(method, args, status, body)
        return status, body, headers


_LOGIN_PAGE = """<!DOCTYPE html>
<html lang="en-US"><head><meta charset="utf-8"><title>Slack</title></head>
<body><h1>Sign in to {team}</h1><form action="/signin" method="post">
<input type="email" name="email"><input type="password" name="password">
<button type="submit">Sign In</button></form></body></html>
"""


async def _read_args(request: Request) -> dict:
    """Arguments as Slack reads them: query string, then a form or JSON body on top."""
    args: dict[str, Any] = dict(request.query_params)
    if request.method != "POST":
        return args
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json":
        raw = await request.body()
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                raise SlackError("invalid_json") from None
            if not isinstance(body, dict):
                raise SlackError("invalid_json")
            args.update(body)
    elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form()
        args.update({k: v for k, v in form.items() if isinstance(v, str)})
    return args


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else None


def _fault_response(standin: SlackStandIn, fault: Fault, method: str, args: dict) -> Response:
    error = "service_unavailable" if fault.status == 503 else "fatal_error"
    body = {"ok": False, "error": error}
    headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
    standin._record(method, args, fault.status, body)
    return JSONResponse(body, status_code=fault.status, headers=headers)


def create_app(standin: SlackStandIn) -> Starlette:
    async def api(request: Request) -> Response:
        method = request.path_params["method"]
        try:
            args = await _read_args(request)
        except SlackError as exc:
            standin._record(method, {}, exc.status, exc.body)
            return JSONResponse(exc.body, status_code=exc.status)
        token = _bearer(request) or args.pop("token", None)
        args.pop("token", None)
        fault = standin._take_fault(method)
        if fault is not None:
            await asyncio.sleep(fault.delay)
            return _fault_response(standin, fault, method, args)
        if method == socket_mode.METHOD:
            status, body = await standin.socket_mode.open_connection(request, token, _bearer(request) is not None)
            if not status:
                return Response(status_code=204)  # the caller hung up while it was held: nobody reads this
            standin._record(method, args, status, body)
            scopes = {"X-OAuth-Scopes": socket_mode.APP_TOKEN_SCOPES} if body.get("ok") else {}
            return JSONResponse(body, status_code=status, headers=scopes)
        status, body, headers = standin.call(method, args, token)
        return JSONResponse(body, status_code=status, headers=headers)

    async def download(request: Request) -> Response:
        team_file = request.path_params["team_file"]
        file_id = team_file.split("-", 1)[-1]
        fault = standin._take_fault("files.download")
        if fault is not None:
            await asyncio.sleep(fault.delay)
            return _fault_response(standin, fault, "files.download", {"file": file_id})
        return standin._download(file_id, _bearer(request))

    async def hook(request: Request) -> Response:
        path = request.url.path
        try:
            body = json.loads(await request.body() or b"{}")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            standin._record("response_url", {"path": path}, 400, {"ok": False, "error": "invalid_payload"})
            return JSONResponse({"ok": False, "error": "invalid_payload"}, status_code=400)
        status, answer = standin._use_hook(path, body)
        standin._record("response_url", {"path": path, **body}, status, answer)
        return JSONResponse(answer, status_code=status)

    return Starlette(
        routes=[
            Route("/api/{method}", api, methods=["GET", "POST"]),
            Route("/files-pri/{team_file}/{rest:path}", download, methods=["GET"]),
            Route("/hooks/{rest:path}", hook, methods=["POST"]),
            WebSocketRoute(socket_mode.LINK_PATH, standin.socket_mode.serve),
        ]
    )
