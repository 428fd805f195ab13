"""How Slack words a complaint about Block Kit, and the checks every Block Kit object shares.

A complaint is one `[ERROR] … [json-pointer:/…]` string; a list of them goes into
`response_metadata.messages` of an `invalid_blocks` / `invalid_arguments` answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

MAX_ID_LENGTH = 255  # block_id, action_id, callback_id, external_id


def error(message: str, pointer: str) -> str:
    return f"[ERROR] {message} [json-pointer:{pointer}]"


def unknown_fields(obj: dict, allowed: Iterable[str], pointer: str) -> list[str]:
    """Slack's schemas allow no additional properties: name each one it would refuse."""
    allowed = set(allowed)
    return [error(f"invalid additional property: {key}", f"{pointer}/{key}") for key in obj if key not in allowed]


def check_id(value: Any, pointer: str) -> list[str]:
    """block_id, action_id, callback_id, external_id: absent, or a string of 1..255."""
    if value is None:
        return []
    if not isinstance(value, str) or not value:
        return [error("must be a non-empty string", pointer)]
    if len(value) > MAX_ID_LENGTH:
        return [error(f"must be less than {MAX_ID_LENGTH + 1} characters", pointer)]
    return []


def check_typed(
    obj: Any, fields: Mapping[str, Iterable[str]], pointer: str, *, id_field: str, also: Iterable[str] = ()
) -> tuple[str | None, list[str]]:
    """What a block and an element are checked for first: an object whose `type` is one of
    `fields`, with no field but that type's (and `also`), and a well-formed `id_field`.
    Returns the type (None when the object cannot be read further) and the complaints."""
    if not isinstance(obj, dict) or not isinstance(obj.get("type"), str):
        return None, [error("must be an object with a `type`", pointer)]
    kind = obj["type"]
    if kind not in fields:
        return None, [error(f"unsupported type: {kind}", pointer + "/type")]
    errors = unknown_fields(obj, {*fields[kind], *also}, pointer)
    return kind, errors + check_id(obj.get(id_field), f"{pointer}/{id_field}")


def check_count(items: Any, pointer: str, *, most: int, least: int = 1) -> list[str]:
    """An array of `least`..`most` items."""
    if not isinstance(items, list):
        return [error("must be an array", pointer)]
    if len(items) < least:
        return [error(f"must provide at least {least} items", pointer)]
    if len(items) > most:
        return [error(f"no more than {most} items allowed", pointer)]
    return []
