"""Block Kit rules that Slack enforces on the server, and a walk over interactive elements.

The checks answer the way Slack does: a list of `[ERROR] … [json-pointer:/…]` strings that go
into `response_metadata.messages`. They cover the limits a bot is likely to hit (counts,
lengths, ids), not every corner of Block Kit.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_ID_LENGTH = 255               # block_id, action_id, callback_id, external_id
MAX_SECTION_TEXT = 3000
MAX_SECTION_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_VIEW_TEXT = 24                # modal title, submit, close
MAX_PRIVATE_METADATA = 3000
MAX_STACKED_VIEWS = 3
MAX_MESSAGE_TEXT = 40000
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25
MAX_OPTIONS = 100

BLOCK_TYPES = {
    "actions", "context", "divider", "file", "header", "image", "input", "markdown",
    "rich_text", "section", "video", "table", "context_actions",
}
# Elements that keep a value in state.values (and so can appear in view_submission).
STATEFUL = {
    "plain_text_input", "email_text_input", "url_text_input", "number_input", "rich_text_input",
    "static_select", "external_select", "users_select", "conversations_select", "channels_select",
    "multi_static_select", "multi_external_select", "multi_users_select",
    "multi_conversations_select", "multi_channels_select", "checkboxes", "radio_buttons",
    "datepicker", "timepicker", "datetimepicker", "file_input",
}


def error(message: str, pointer: str) -> str:
    return f"[ERROR] {message} [json-pointer:{pointer}]"


def _text_len(obj: Any) -> int:
    return len(obj.get("text", "")) if isinstance(obj, dict) else 0


def _check_text(obj: Any, pointer: str, limit: int, *, plain_only: bool = False) -> list[str]:
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        return [error("must provide an object with a string `text`", pointer)]
    kinds = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
    if obj.get("type") not in kinds:
        return [error(f"must be one of {', '.join(kinds)}", pointer + "/type")]
    if not obj["text"]:
        return [error("must be more than 0 characters", pointer + "/text")]
    if len(obj["text"]) > limit:
        return [error(f"must be less than {limit + 1} characters", pointer + "/text")]
    return []


def _check_id(value: Any, pointer: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, str) or not value:
        return [error("must be a non-empty string", pointer)]
    if len(value) > MAX_ID_LENGTH:
        return [error(f"must be less than {MAX_ID_LENGTH + 1} characters", pointer)]
    return []


def check_element(element: Any, pointer: str) -> list[str]:
    if not isinstance(element, dict) or not isinstance(element.get("type"), str):
        return [error("must be an object with a `type`", pointer)]
    errors = _check_id(element.get("action_id"), pointer + "/action_id")
    kind = element["type"]
    if kind == "button":
        errors += _check_text(element.get("text"), pointer + "/text", MAX_BUTTON_TEXT, plain_only=True)
        if len(str(element.get("value", ""))) > MAX_BUTTON_VALUE:
            errors.append(error(f"must be less than {MAX_BUTTON_VALUE + 1} characters", pointer + "/value"))
    if "options" in element and len(element["options"]) > MAX_OPTIONS:
        errors.append(error(f"no more than {MAX_OPTIONS} items allowed", pointer + "/options"))
    if "placeholder" in element and _text_len(element["placeholder"]) > 150:
        errors.append(error("must be less than 151 characters", pointer + "/placeholder/text"))
    return errors


def _check_block(block: Any, pointer: str) -> list[str]:
    if not isinstance(block, dict) or not isinstance(block.get("type"), str):
        return [error("must be an object with a `type`", pointer)]
    kind = block["type"]
    if kind not in BLOCK_TYPES:
        return [error(f"unsupported type: {kind}", pointer + "/type")]
    errors = _check_id(block.get("block_id"), pointer + "/block_id")
    if kind == "section":
        if "text" not in block and "fields" not in block:
            errors.append(error("must provide either `text` or `fields`", pointer))
        if "text" in block:
            errors += _check_text(block["text"], pointer + "/text", MAX_SECTION_TEXT)
        fields = block.get("fields", [])
        if len(fields) > MAX_SECTION_FIELDS:
            errors.append(error(f"no more than {MAX_SECTION_FIELDS} items allowed", pointer + "/fields"))
        for i, field in enumerate(fields):
            errors += _check_text(field, f"{pointer}/fields/{i}", MAX_FIELD_TEXT)
        if "accessory" in block:
            errors += check_element(block["accessory"], pointer + "/accessory")
    elif kind == "header":
        errors += _check_text(block.get("text"), pointer + "/text", MAX_HEADER_TEXT, plain_only=True)
    elif kind in ("context", "actions"):
        elements = block.get("elements")
        limit = MAX_CONTEXT_ELEMENTS if kind == "context" else MAX_ACTIONS_ELEMENTS
        if not isinstance(elements, list) or not elements:
            errors.append(error("must provide a non-empty array", pointer + "/elements"))
        elif len(elements) > limit:
            errors.append(error(f"no more than {limit} items allowed", pointer + "/elements"))
        elif kind == "actions":
            for i, element in enumerate(elements):
                errors += check_element(element, f"{pointer}/elements/{i}")
    elif kind == "input":
        errors += _check_text(block.get("label"), pointer + "/label", 2000, plain_only=True)
        if "element" not in block:
            errors.append(error("missing required field: element", pointer))
        else:
            errors += check_element(block["element"], pointer + "/element")
    return errors


def check_blocks(blocks: Any, pointer: str, limit: int) -> list[str]:
    """Slack's complaints about a blocks array (empty list: none)."""
    if not isinstance(blocks, list):
        return [error("must be an array", pointer)]
    if len(blocks) > limit:
        return [error(f"no more than {limit} items allowed", pointer)]
    errors: list[str] = []
    seen: set[str] = set()
    for i, block in enumerate(blocks):
        errors += _check_block(block, f"{pointer}/{i}")
        block_id = block.get("block_id") if isinstance(block, dict) else None
        if block_id is not None:
            if block_id in seen:
                errors.append(error(f"duplicate block_id: {block_id}", f"{pointer}/{i}/block_id"))
            seen.add(block_id)
    return errors


def check_view(view: Any, *, kinds: tuple[str, ...] = ("modal",)) -> list[str]:
    """Slack's complaints about a view payload for views.open/push/update/publish."""
    if not isinstance(view, dict):
        return [error("must be an object", "/view")]
    kind = view.get("type")
    if kind not in kinds:
        return [error(f"must be one of {', '.join(kinds)}", "/view/type")]
    errors: list[str] = []
    if kind == "modal":
        if "title" not in view:
            errors.append(error("missing required field: title", "/view"))
        else:
            errors += _check_text(view["title"], "/view/title", MAX_VIEW_TEXT, plain_only=True)
        for key in ("submit", "close"):
            if key in view and view[key] is not None:
                errors += _check_text(view[key], f"/view/{key}", MAX_VIEW_TEXT, plain_only=True)
        has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in view.get("blocks") or [])
        if has_input and not view.get("submit"):
            errors.append(error("must provide `submit` when input blocks are present", "/view/submit"))
    metadata = view.get("private_metadata", "")
    if not isinstance(metadata, str) or len(metadata) > MAX_PRIVATE_METADATA:
        errors.append(error(f"must be a string of less than {MAX_PRIVATE_METADATA + 1} characters",
                            "/view/private_metadata"))
    errors += _check_id(view.get("callback_id") or None, "/view/callback_id")
    errors += _check_id(view.get("external_id") or None, "/view/external_id")
    if "blocks" not in view:
        errors.append(error("missing required field: blocks", "/view"))
    else:
        errors += check_blocks(view["blocks"], "/view/blocks", MAX_VIEW_BLOCKS)
    return errors


def _short_id() -> str:
    # Slack makes up short ids like "aB3xQ" for blocks and actions that have none.
    return secrets.token_urlsafe(4)[:5]


def fill_ids(blocks: list[dict]) -> list[dict]:
    """Give every block and interactive element an id, as Slack does when storing them."""
    for block in blocks:
        block.setdefault("block_id", _short_id())
        for element in _elements_of(block):
            if element.get("type") not in ("image", "plain_text", "mrkdwn"):
                element.setdefault("action_id", _short_id())
    return blocks


def _elements_of(block: dict) -> list[dict]:
    if block.get("type") == "input" and isinstance(block.get("element"), dict):
        return [block["element"]]
    if block.get("type") == "section" and isinstance(block.get("accessory"), dict):
        return [block["accessory"]]
    if block.get("type") == "actions":
        return [e for e in block.get("elements", []) if isinstance(e, dict)]
    return []


def iter_elements(blocks: list[dict]) -> Iterator[tuple[dict, dict]]:
    """(block, element) for every interactive element: input elements, accessories, actions."""
    for block in blocks:
        for element in _elements_of(block):
            yield block, element


def find_element(blocks: list[dict], action_id: str, block_id: str | None = None) -> tuple[dict, dict] | None:
    for block, element in iter_elements(blocks):
        if element.get("action_id") == action_id and block_id in (None, block.get("block_id")):
            return block, element
    return None


def options_of(element: dict) -> list[dict]:
    """Every option of a select, checkbox group or radio group, option groups flattened."""
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options += group.get("options") or []
    return options
