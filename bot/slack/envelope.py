"""The shape every Slack request must have before Bolt and the listeners see it.

Bolt matches listeners by reading fields it assumes are there (`actions[0]["action_id"]`,
`view["callback_id"]`, `event["type"]`...) and the listeners read a few more (`user.id`,
`view.private_metadata`, `trigger_id`). A signed request without them is not something Slack
sends; without this check it would raise inside Bolt and be answered 500. `problem` names the
first missing or mistyped field, following Slack's documented payloads; None means fine.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from bot import bounded_json


def _at(body: Any, path: str) -> Any:
    value = body
    for part in path.split("."):
        if not isinstance(value, dict):
            return _ABSENT
        value = value.get(part, _ABSENT)
    return value


_ABSENT = object()

# field path -> the type it must have; "?" suffix: may be absent (or null), typed when present.
_STR, _DICT, _LIST = str, dict, list
_COMMON_INTERACTION = {
    "user": _DICT,
    "user.id": _STR,
    "team?": _DICT,
    "channel?": _DICT,
    "container?": _DICT,
    "message?": _DICT,
    "response_url?": _STR,
    "response_urls?": _LIST,
}
_VIEW = {
    "view": _DICT,
    "view.id": _STR,
    "view.callback_id": _STR,
    "view.private_metadata?": _STR,
    "view.state?": _DICT,
    "view.state.values?": _DICT,
    "view.blocks?": _LIST,
}
_SHAPES: dict[str, dict[str, type]] = {
    "block_actions": {
        **_COMMON_INTERACTION,
        "actions": _LIST,
        "trigger_id?": _STR,
        "view?": _DICT,
        "view.id?": _STR,
        "view.callback_id?": _STR,
        "view.private_metadata?": _STR,
        "view.state?": _DICT,
        "view.state.values?": _DICT,
    },
    "view_submission": {**_COMMON_INTERACTION, **_VIEW, "trigger_id?": _STR},
    "view_closed": {**_COMMON_INTERACTION, **_VIEW},
    "shortcut": {**_COMMON_INTERACTION, "callback_id": _STR, "trigger_id": _STR},
    "message_action": {**_COMMON_INTERACTION, "callback_id": _STR, "trigger_id": _STR},
    "block_suggestion": {**_COMMON_INTERACTION, "action_id": _STR, "block_id?": _STR, "value": _STR, "view?": _DICT},
    "interactive_message": {**_COMMON_INTERACTION, "callback_id": _STR, "actions": _LIST},
    "event_callback": {
        "event": _DICT,
        "event.type": _STR,
        "authorizations?": _LIST,
        "team_id?": _STR,
        "event.user?": _STR,
        "event.channel?": _STR,
        "event.view?": _DICT,
    },
    "url_verification": {"challenge": _STR},
}
_COMMAND = {"command": _STR, "user_id": _STR, "channel_id": _STR, "trigger_id": _STR}


def _check(body: dict, shape: dict[str, type]) -> str | None:
    for path, kind in shape.items():
        optional = path.endswith("?")
        value = _at(body, path.rstrip("?"))
        if value is _ABSENT or value is None:
            if not optional:
                return f"{path} is missing"
            continue
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            return f"{path.rstrip('?')} is not a {kind.__name__}"
    return None


def problem(body: Any) -> str | None:
    """Why a (parsed) Slack request body is not one the bot can handle, or None."""
    if not isinstance(body, dict):
        return "the body is not an object"
    if not body:
        return "the body is empty"
    kind = body.get("type")
    if "command" in body and kind is None:  # a slash command: form fields, all strings
        return _check(body, _COMMAND)
    shape = _SHAPES.get(kind) if isinstance(kind, str) else None
    if shape is None:
        return None  # a type the bot has no listener for: Bolt answers it (404)
    found = _check(body, shape)
    if found:
        return found
    for index, action in enumerate(body.get("actions") or []):
        if not isinstance(action, dict) or not isinstance(action.get("action_id"), str):
            return f"actions[{index}] has no action_id"
        if not isinstance(action.get("block_id", ""), str):
            return f"actions[{index}].block_id is not a str"
    if kind == "block_actions" and not body["actions"]:
        return "actions is empty"
    for index, item in enumerate(body.get("authorizations") or []):
        if not isinstance(item, dict):
            return f"authorizations[{index}] is not an object"
    return None


def check_depth(body: bytes) -> None:
    """Raise ValueError for a body (JSON, or a form whose `payload` is JSON) nested deeper than any
    Slack payload is, before Bolt parses it (bot/bounded_json.py)."""
    bounded_json.check_depth(body)  # a form's payload is percent-encoded: brackets show only in JSON
    if b"payload=" in body[:16] or b"&payload=" in body:
        for value in parse_qs(body.decode("utf-8"), keep_blank_values=True).get("payload", []):
            bounded_json.check_depth(value)
