"""Plays the Slack platform toward a bot: requests shaped exactly as Slack sends them.

`SlackDriver` sends slash commands, block actions, view submissions and closes, and Events API
callbacks, with trigger_ids and response_urls issued by the stand-in, and then does what Slack
does with the bot's answer (closing or updating the modal, showing an ack's text to the user).
What the bot did through the Web API is read from `driver.standin`.

Two transports, as Slack has: HTTP (`transport=HTTP`, the default), signed POSTs to the bot's
request URL; and Socket Mode (`SlackDriver.over_socket_mode(standin)`), envelopes over the
stand-in's WebSocket to the connected app, whose ack payload is taken as the HTTP answer body
would be. Either way a BotResponse says what came back and how fast.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from typing import Any, TypedDict, Unpack
from urllib.parse import urlencode

import httpx

from bot.sandbox.slack import blocks as bk
from bot.sandbox.slack.socket_mode import ConnectionInfo
from bot.sandbox.slack.web_api import SlackStandIn

FORM = "application/x-www-form-urlencoded"
VERIFICATION_TOKEN = "standinVerificationToken0"  # deprecated by Slack, still sent in payloads
ACK_DEADLINE = 3.0
USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"
HTTP, SOCKET_MODE = "http", "socket_mode"


class ActionPlace(TypedDict, total=False):
    """Who acts on which element, and where: `block_action`'s keywords, as `block_action_payload`
    takes them (all optional)."""

    user: str | None
    channel: str | None
    message_ts: str | None
    view_id: str | None
    block_id: str | None


class SubmitOptions(TypedDict, total=False):
    """Who submits which modal, and whether Slack's client checks it first: `submit_view`'s
    keywords, as `view_submission_payload` takes them (all optional)."""

    user: str | None
    view_id: str | None
    check: bool


class FormBlocked(Exception):
    """The Slack client would not let the user submit: {block_id: message} shown in the modal."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(", ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class BotResponse:
    status: int
    headers: dict[str, str]
    text: str
    elapsed: float
    payload: Any = None  # what the driver sent (dict), for resends
    errors: dict[str, str] | None = None  # view_submission errors now shown in the modal
    notes: list[str] = field(default_factory=list)

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.text) if self.text.strip() else None
        except ValueError:
            return None

    @property
    def in_time(self) -> bool:
        """Slack gives up on an answer after 3 seconds (and retries events)."""
        return self.elapsed <= ACK_DEADLINE


class SlackDriver:
    def __init__(
        self,
        bot_events_url: str,
        signing_secret: str,
        standin: SlackStandIn,
        *,
        timeout: float = 10.0,
        transport: str = HTTP,
    ):
        if transport not in (HTTP, SOCKET_MODE):
            raise ValueError(f"transport must be {HTTP!r} or {SOCKET_MODE!r}")
        self.url = bot_events_url
        self.secret = signing_secret
        self.standin = standin
        self.transport = transport
        self.timeout = timeout
        self._http = httpx.Client(timeout=timeout, headers={"User-Agent": USER_AGENT})
        config = standin.config
        self.default_user = config.users[0]["id"] if config.users else config.bot_user_id
        self.default_channel = next(iter(config.channels))

    @classmethod
    def over_socket_mode(cls, standin: SlackStandIn, *, timeout: float = 10.0) -> SlackDriver:
        """A driver that delivers over Socket Mode to the app connected to the stand-in."""
        return cls("", "", standin, timeout=timeout, transport=SOCKET_MODE)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SlackDriver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- signing and sending -------------------------------------------------------------

    def sign(self, body: bytes, timestamp: int) -> str:
        base = f"v0:{timestamp}:".encode() + body
        return "v0=" + hmac.new(self.secret.encode(), base, hashlib.sha256).hexdigest()

    def post(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
        payload: Any = None,
    ) -> BotResponse:
        """POST a raw body signed as Slack signs it (or with the signature/timestamp given)."""
        timestamp = int(time.time()) if timestamp is None else timestamp
        sent = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(timestamp),
            "X-Slack-Signature": signature or self.sign(body, timestamp),
            **(headers or {}),
        }
        started = time.monotonic()
        answer = self._http.post(self.url, content=body, headers=sent)
        return BotResponse(answer.status_code, dict(answer.headers), answer.text, time.monotonic() - started, payload)

    def _over_socket(self, kind: str, payload: dict, *, retry_attempt: int = 0, retry_reason: str = "") -> BotResponse:
        """One envelope to the connected app; its ack read as the HTTP answer would be: 200 with the
        ack's payload as the body, 503 when no connection was there to take it, 408 with no ack."""
        delivery = self.standin.socket_mode.deliver(
            kind, payload, retry_attempt=retry_attempt, retry_reason=retry_reason, timeout=self.timeout
        )
        if delivery.connection is None:
            return BotResponse(
                503,
                {},
                "",
                self.timeout,
                payload,
                notes=["No Socket Mode connection: Slack shows the user dispatch_failed."],
            )
        if not delivery.acked:
            return BotResponse(408, {}, "", self.timeout, payload, notes=[f"No ack within {self.timeout:.0f} s."])
        body = delivery.ack_payload
        text = json.dumps(body) if body is not None and delivery.envelope["accepts_response_payload"] else ""
        response = BotResponse(200, {}, text, delivery.elapsed or 0.0, payload)
        if body is not None and not text:
            response.notes.append(f"Ack payload ignored: Slack reads none for {kind} {payload.get('type', '')}.")
        return response

    def _interact(self, payload: dict, headers: dict[str, str] | None = None) -> BotResponse:
        if self.transport == SOCKET_MODE:
            return self._over_socket("interactive", payload)
        # Interactivity payloads travel as one form field, `payload`, holding JSON.
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self.post(body, FORM, payload=payload, headers=headers)

    def interact(self, payload: dict, *, headers: dict[str, str] | None = None) -> BotResponse:
        """Send an interactivity payload again as it is (a double click, a client resending, a
        replay): e.g. one made by `block_action_payload` or `view_submission_payload`, or the
        `payload` of an earlier response. A view submission's answer is applied as Slack would."""
        response = self._interact(payload, headers)
        if payload.get("type") == "view_submission" and response.status == 200 and response.in_time:
            response.errors = self.standin.apply_view_response(
                payload["user"]["id"], payload["view"]["id"], response.json
            )
        return response

    # ---- who and where -------------------------------------------------------------------

    def _user(self, user_id: str) -> dict:
        if self.standin.user(user_id) is None:
            self.standin.add_user(user_id, user_id.lower())
        name = self.standin.user_name(user_id)
        return {"id": user_id, "username": name, "name": name, "team_id": self.standin.config.team_id}

    def _team(self) -> dict:
        return {"id": self.standin.config.team_id, "domain": self.standin.config.team_domain}

    def _common(self, kind: str, user: str) -> dict:
        return {
            "type": kind,
            "team": self._team(),
            "user": self._user(user),
            "api_app_id": self.standin.config.app_id,
            "token": VERIFICATION_TOKEN,
            "enterprise": None,
            "is_enterprise_install": False,
        }

    # ---- shortcuts -----------------------------------------------------------------------

    def global_shortcut(self, callback_id: str, *, user: str | None = None) -> BotResponse:
        """The user picks one of the app's global shortcuts (the composer's shortcuts menu or the
        search bar): no channel, a trigger to open a modal with."""
        user = user or self.default_user
        payload = self._common("shortcut", user)
        payload.update(
            callback_id=callback_id, trigger_id=self.standin.issue_trigger(user), action_ts=f"{time.time():.6f}"
        )
        return self._interact(payload)

    # ---- slash commands ------------------------------------------------------------------

    def slash_command(
        self, command: str, text: str = "", *, user: str | None = None, channel: str | None = None
    ) -> BotResponse:
        """The user types `command text` in a channel; an ack body is shown to them as Slack does."""
        user = user or self.default_user
        channel = self.standin.resolve_channel(channel or self.default_channel)
        config = self.standin.config
        self._user(user)
        fields = {
            "token": VERIFICATION_TOKEN,
            "team_id": config.team_id,
            "team_domain": config.team_domain,
            "channel_id": channel,
            "channel_name": self.standin.channel_name(channel),
            "user_id": user,
            "user_name": self.standin.user_name(user),
            "command": command,
            "text": text,
            "api_app_id": config.app_id,
            "is_enterprise_install": "false",
            "response_url": self.standin.new_response_url("commands", channel, user),
            "trigger_id": self.standin.issue_trigger(user),
        }
        if self.transport == SOCKET_MODE:
            response = self._over_socket("slash_commands", fields)
        else:
            response = self.post(urlencode(fields).encode(), FORM, payload=fields)
        if response.status == 200 and response.in_time and response.text.strip():
            body = response.json if isinstance(response.json, dict) else {"text": response.text}
            self.standin.respond(channel, user, body, via="command")
        return response

    # ---- block actions -----------------------------------------------------------------

    def block_action(self, action_id: str, value: Any = None, **where: Unpack[ActionPlace]) -> BotResponse:
        """The user clicks or picks in an element of a message (channel+message_ts), of a view
        (view_id), or else of their open modal or their App Home. `value` is what they pick:
        an option value (or list) for selects and checkboxes, text for inputs, a date…"""
        return self._interact(self.block_action_payload(action_id, value, **where))

    def block_action_payload(
        self,
        action_id: str,
        value: Any = None,
        *,
        user: str | None = None,
        channel: str | None = None,
        message_ts: str | None = None,
        view_id: str | None = None,
        block_id: str | None = None,
    ) -> dict:
        """The payload `block_action` sends, without sending it (see `interact`)."""
        user = user or self.default_user
        payload = self._common("block_actions", user)
        if message_ts is not None:
            channel = self.standin.resolve_channel(channel or self.default_channel)
            message, ephemeral = self.standin.message(channel, message_ts), False
            if message is None:
                message = next((m for m in self.standin.ephemeral(channel) if m["ts"] == message_ts), None)
                ephemeral = True
            if message is None:
                raise LookupError(f"no message {message_ts} in {channel}")
            blocks = message.get("blocks") or []
            container = {"type": "message", "message_ts": message_ts, "channel_id": channel, "is_ephemeral": ephemeral}
            if message.get("thread_ts"):
                container["thread_ts"] = message["thread_ts"]
            payload.update(
                container=container,
                channel={"id": channel, "name": self.standin.channel_name(channel)},
                response_url=self.standin.new_response_url(
                    "actions", channel, user, source_ts=message_ts, ephemeral=ephemeral
                ),
                state={"values": {}},
            )
            if not ephemeral:
                payload["message"] = message
        else:
            view = self._view_for(user, view_id, allow_home=True)
            blocks = view["blocks"]
            payload.update(container={"type": "view", "view_id": view["id"]}, view=view)
        found = bk.find_element(blocks, action_id, block_id)
        if found is None:
            raise LookupError(f"no element with action_id {action_id!r}")
        block, element = found
        action = self._action(block, element, value)
        if message_ts is None:
            # The client keeps what was picked in the view's state, and sends the full state.
            state = copy.deepcopy(payload["view"]["state"]["values"])
            if element["type"] in bk.STATEFUL:
                state.setdefault(block["block_id"], {})[element["action_id"]] = self._entry(element, value)
            self.standin.set_view_state(payload["view"]["id"], state)
            payload["view"]["state"] = {"values": state}
        payload.update(trigger_id=self.standin.issue_trigger(user), actions=[action])
        return payload

    def _action(self, block: dict, element: dict, value: Any) -> dict:
        action = {
            "type": element["type"],
            "action_id": element["action_id"],
            "block_id": block["block_id"],
            "action_ts": f"{time.time():.6f}",
        }
        kind = element["type"]
        if kind == "button":
            action["text"] = element.get("text")
            if "value" in element:
                action["value"] = element["value"]
            if "style" in element:
                action["style"] = element["style"]
        elif kind == "overflow":
            action["selected_option"] = self._option(element, value)
        elif kind in bk.STATEFUL:
            entry = self._entry(element, value)
            entry.pop("type", None)
            action.update(entry)
            if "placeholder" in element:
                action["placeholder"] = element["placeholder"]
        return action

    # ---- views -------------------------------------------------------------------------

    def _view_for(self, user: str, view_id: str | None, *, allow_home: bool = False) -> dict:
        if view_id is not None:
            view = self.standin.view(view_id)
        else:
            view = self.standin.current_view(user) or (self.standin.home_view(user) if allow_home else None)
        if view is None:
            raise LookupError(f"no view {view_id or 'open'} for {user}")
        return view

    def submit_view(self, values: dict[str, Any] | None = None, **how: Unpack[SubmitOptions]) -> BotResponse:
        """The user fills the open modal ({block_id: value}, see state_values) and submits it.

        Raises FormBlocked when Slack's client would refuse (a required field empty, too long…)
        unless check=False. Afterwards the stand-in shows what the bot answered; a refused
        answer's errors are in `response.errors`.
        """
        payload = self.view_submission_payload(values, **how)
        user, view = payload["user"]["id"], payload["view"]
        response = self._interact(payload)
        if response.status != 200:
            response.notes.append("Slack shows the user: We had some trouble connecting.")
        elif not response.in_time:
            response.notes.append("Slack gave up waiting (3 s): the modal stays open with an error.")
        else:
            response.errors = self.standin.apply_view_response(user, view["id"], response.json)
        return response

    def view_submission_payload(
        self,
        values: dict[str, Any] | None = None,
        *,
        user: str | None = None,
        view_id: str | None = None,
        check: bool = True,
    ) -> dict:
        """The payload `submit_view` sends, without sending it (see `interact`)."""
        user = user or self.default_user
        view = self._view_for(user, view_id)
        stack = [v["id"] for v in self.standin.view_stack(user)]
        if not stack or stack[-1] != view["id"]:
            raise LookupError(f"view {view['id']} is not the modal on top for {user}")
        state = self.state_values(view, values, check=check)
        self.standin.set_view_state(view["id"], state)
        view["state"] = {"values": state}
        payload = self._common("view_submission", user)
        payload.update(trigger_id=self.standin.issue_trigger(user), view=view, response_urls=[])
        return payload

    def close_view(
        self, *, user: str | None = None, view_id: str | None = None, clear: bool = False
    ) -> BotResponse | None:
        """The user closes the modal (Back on a pushed view, or X with clear=True). Slack tells
        the bot only when the view asked for it with notify_on_close."""
        user = user or self.default_user
        view = self._view_for(user, view_id)
        self.standin.close_views(user, view_id=view["id"], clear=clear)
        if not view.get("notify_on_close"):
            return None
        payload = self._common("view_closed", user)
        payload.update(view=view, is_cleared=clear)
        return self._interact(payload)

    # ---- events ------------------------------------------------------------------------

    def send_event(
        self,
        event: dict,
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
    ) -> BotResponse:
        """An Events API callback; pass retry_num (and the same event_id) to replay a retry."""
        config = self.standin.config
        envelope = {
            "token": VERIFICATION_TOKEN,
            "team_id": config.team_id,
            "context_team_id": config.team_id,
            "context_enterprise_id": None,
            "api_app_id": config.app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or "Ev" + secrets.token_hex(5).upper(),
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": config.team_id,
                    "user_id": config.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": "4-" + secrets.token_urlsafe(24),
        }
        if self.transport == SOCKET_MODE:
            # Socket Mode names an HTTP retry's reason without the "http_" prefix (e.g. "timeout").
            return self._over_socket(
                "events_api",
                envelope,
                retry_attempt=retry_num or 0,
                retry_reason=retry_reason.removeprefix("http_") if retry_num else "",
            )
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        return self.post(json.dumps(envelope).encode(), "application/json", headers=headers, payload=envelope)

    def open_home(self, *, user: str | None = None, tab: str = "home") -> BotResponse:
        """The user opens the app's Home tab: an app_home_opened event."""
        user = user or self.default_user
        self._user(user)
        event = {
            "type": "app_home_opened",
            "user": user,
            "channel": self.standin.dm_channel(user),
            "tab": tab,
            "event_ts": f"{time.time():.6f}",
        }
        home = self.standin.home_view(user)
        if home is not None:
            event["view"] = home
        return self.send_event(event)

    def url_verification(self, challenge: str = "standin-challenge") -> BotResponse:
        if self.transport == SOCKET_MODE:
            raise RuntimeError("Slack verifies a request URL only over HTTP; Socket Mode has none")
        body = {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
        return self.post(json.dumps(body).encode(), "application/json", payload=body)

    # ---- Socket Mode connections ---------------------------------------------------------

    def ask_to_reconnect(
        self, reason: str = "refresh_requested", *, close_after: float | None = None, timeout: float | None = None
    ) -> ConnectionInfo:
        """Slack's `disconnect` message on the app's connections (each closed `close_after` seconds
        later); returns the new connection the app opened in answer, once Slack said hello on it."""
        server = self.standin.socket_mode
        newest = max((c.id for c in server.connections()), default=0)
        if not server.request_reconnect(reason, close_after=close_after):
            raise LookupError("no Socket Mode connection to ask")
        return server.wait_for_connection(timeout or self.timeout, newer_than=newest)

    # ---- filling forms -------------------------------------------------------------------

    def state_values(self, view: dict | str, values: dict[str, Any] | None = None, *, check: bool = True) -> dict:
        """`view.state.values` as Slack builds it, from {block_id (or action_id): value}.

        Values: text for text, email, url and number inputs; an option value (or list of them)
        for selects, radio buttons and checkboxes; "YYYY-MM-DD" for datepickers; user or
        channel ids for those selects; file dicts (from standin.add_file) or file ids for
        file_input. A dict with a "type" key is taken as the finished entry. Elements not named
        keep what the user entered before, else their initial value, as in Slack.
        """
        if isinstance(view, str):
            view = self._view_for(self.default_user, view)
        values = dict(values or {})
        stored = view.get("state", {}).get("values", {})
        result: dict[str, dict] = {}
        for block, element in bk.iter_elements(view["blocks"]):
            if element.get("type") not in bk.STATEFUL:
                continue
            block_id, action_id = block["block_id"], element["action_id"]
            key = block_id if block_id in values else action_id if action_id in values else None
            if key is not None:
                given = values.pop(key)
                entry = given if isinstance(given, dict) and "type" in given else self._entry(element, given)
            elif action_id in stored.get(block_id, {}):
                entry = copy.deepcopy(stored[block_id][action_id])
            else:
                entry = self._entry(element, None, initial=True)
            result.setdefault(block_id, {})[action_id] = entry
        if values:
            raise KeyError(f"no input for {', '.join(values)} in view {view.get('id')}")
        if check:
            problems = client_checks(view, result)
            if problems:
                raise FormBlocked(problems)
        return result

    def _entry(self, element: dict, value: Any, *, initial: bool = False) -> dict:
        """One element's state entry in Slack's shape for that element type."""
        kind = element["type"]
        entry: dict[str, Any] = {"type": kind}
        if initial:
            value = _initial(element)
        if kind in ("plain_text_input", "email_text_input", "url_text_input", "number_input"):
            entry["value"] = None if value is None else str(value)
        elif kind in ("static_select", "external_select", "radio_buttons"):
            entry["selected_option"] = None if value is None else self._option(element, value)
        elif kind in ("multi_static_select", "multi_external_select", "checkboxes"):
            items = [] if value is None else value if isinstance(value, list) else [value]
            entry["selected_options"] = [self._option(element, v) for v in items]
        elif kind in _PICKED:
            entry[_PICKED[kind]] = value
        elif kind.startswith("multi_") and kind[6:] in _PICKED:
            entry[_PICKED[kind[6:]] + "s"] = [] if value is None else list(value)
        elif kind == "file_input":
            files = [] if value is None else value if isinstance(value, list) else [value]
            entry["files"] = [f if isinstance(f, dict) else self._file(f) for f in files]
        elif kind == "rich_text_input":
            entry["rich_text_value"] = (
                value
                if isinstance(value, dict) or value is None
                else {
                    "type": "rich_text",
                    "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": str(value)}]}],
                }
            )
        return entry

    def _file(self, file_id: str) -> dict:
        found = self.standin.file(file_id)
        if found is None:
            raise KeyError(f"no file {file_id} in the stand-in (use standin.add_file)")
        return found

    @staticmethod
    def _option(element: dict, value: Any) -> dict:
        if isinstance(value, dict):
            return copy.deepcopy(value)
        options = bk.options_of(element)
        if not options and element["type"].endswith("external_select"):
            return {"text": {"type": "plain_text", "text": str(value)}, "value": str(value)}
        for option in options:
            if option.get("value") == value:
                return copy.deepcopy(option)
        raise ValueError(f"{value!r} is not an option of {element.get('action_id')}")


_PICKED = {
    "users_select": "selected_user",
    "conversations_select": "selected_conversation",
    "channels_select": "selected_channel",
    "datepicker": "selected_date",
    "timepicker": "selected_time",
    "datetimepicker": "selected_date_time",
}


def _initial(element: dict) -> Any:
    for key in (
        "initial_value",
        "initial_user",
        "initial_conversation",
        "initial_channel",
        "initial_date",
        "initial_time",
        "initial_date_time",
        "initial_users",
        "initial_conversations",
        "initial_channels",
    ):
        if key in element:
            return element[key]
    if "initial_option" in element:
        return element["initial_option"]
    if "initial_options" in element:
        return list(element["initial_options"])
    return None


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _is_empty(entry: dict) -> bool:
    for key, value in entry.items():
        if key != "type" and value not in (None, "", [], {}):
            return False
    return True


def client_checks(view: dict, state: dict) -> dict[str, str]:
    """What Slack's client refuses before sending view_submission: {block_id: message}."""
    problems: dict[str, str] = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input" or "element" not in block:
            continue
        element = block["element"]
        entry = state.get(block["block_id"], {}).get(element.get("action_id"), {"type": element["type"]})
        if _is_empty(entry):
            if not block.get("optional", False):
                problems[block["block_id"]] = "Please complete this required field."
            continue
        message = _element_problem(element, entry)
        if message:
            problems[block["block_id"]] = message
    return problems


def _element_problem(element: dict, entry: dict) -> str | None:
    kind, value = element["type"], entry.get("value")
    if kind == "plain_text_input":
        if len(value) < element.get("min_length", 0):
            return f"Must be at least {element['min_length']} characters."
        if len(value) > element.get("max_length", 3000):
            return f"Must be at most {element.get('max_length', 3000)} characters."
    elif kind == "number_input":
        try:
            number = float(value)
        except ValueError:
            return "Enter a number."
        if not element.get("is_decimal_allowed") and not re.fullmatch(r"-?\d+", value.strip()):
            return "Enter a whole number."
        if "min_value" in element and number < float(element["min_value"]):
            return f"Enter a number of at least {element['min_value']}."
        if "max_value" in element and number > float(element["max_value"]):
            return f"Enter a number of at most {element['max_value']}."
    elif kind == "email_text_input" and not _EMAIL.match(value):
        return "Enter an email address."
    elif kind == "url_text_input" and not re.match(r"^https?://\S+$", value):
        return "Enter a URL."
    elif kind == "file_input":
        files = entry.get("files", [])
        if len(files) > element.get("max_files", 10):
            return f"Attach at most {element.get('max_files', 10)} files."
        types = element.get("filetypes")
        if types and any(f.get("filetype") not in types for f in files):
            return f"Allowed file types: {', '.join(types)}."
    elif "max_selected_items" in element and len(entry.get("selected_options", [])) > element["max_selected_items"]:
        return f"Pick at most {element['max_selected_items']}."
    return None
