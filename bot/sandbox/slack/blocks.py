"""Blocks, messages and views as Slack checks them, and a walk over interactive elements.

The checks answer the way Slack does: a list of `[ERROR] … [json-pointer:/…]` strings that go
into `response_metadata.messages`. The rules on elements are in `elements.py`, those on text,
option and confirm objects in `composition.py`; all are read from Slack's Block Kit reference.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

from bot.sandbox.slack.composition import check_text
from bot.sandbox.slack.elements import check_element
from bot.sandbox.slack.problems import check_count, check_id, check_typed, error

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_SECTION_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_LABEL = 2000  # input label and hint
MAX_VIEW_TEXT = 24  # modal title, submit, close
MAX_PRIVATE_METADATA = 3000
MAX_STACKED_VIEWS = 3
MAX_MESSAGE_TEXT = 40000
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25

# The fields each block type takes besides `type` and `block_id` (Slack's reference pages).
BLOCK_FIELDS: dict[str, set[str]] = {
    "actions": {"elements"},
    "context": {"elements"},
    "context_actions": {"elements"},
    "divider": set(),
    "file": {"external_id", "source"},
    "header": {"text"},
    "image": {"image_url", "slack_file", "alt_text", "title"},
    "input": {"label", "element", "dispatch_action", "hint", "optional"},
    "markdown": {"text"},
    "rich_text": {"elements"},
    "section": {"text", "fields", "accessory", "expand"},
    "table": {"rows", "column_settings"},
    "video": {
        "alt_text",
        "author_name",
        "description",
        "provider_icon_url",
        "provider_name",
        "title",
        "title_url",
        "thumbnail_url",
        "video_url",
    },
}
BLOCK_TYPES = set(BLOCK_FIELDS)
# Elements that keep a value in state.values (and so can appear in view_submission).
STATEFUL = {
    "plain_text_input",
    "email_text_input",
    "url_text_input",
    "number_input",
    "rich_text_input",
    "static_select",
    "external_select",
    "users_select",
    "conversations_select",
    "channels_select",
    "multi_static_select",
    "multi_external_select",
    "multi_users_select",
    "multi_conversations_select",
    "multi_channels_select",
    "checkboxes",
    "radio_buttons",
    "datepicker",
    "timepicker",
    "datetimepicker",
    "file_input",
}


def _check_block(block: Any, pointer: str) -> list[str]:
    kind, errors = check_typed(block, BLOCK_FIELDS, pointer, id_field="block_id", also=("type", "block_id"))
    if kind is None:
        return errors
    if kind == "section":
        errors += _check_section(block, pointer)
    elif kind == "header":
        errors += check_text(block.get("text"), pointer + "/text", MAX_HEADER_TEXT, plain_only=True)
    elif kind == "context":
        errors += _check_context(block, pointer)
    elif kind in ("actions", "context_actions"):
        errors += _check_actions(block, pointer, checked=kind == "actions")
    elif kind == "input":
        errors += _check_input(block, pointer)
    return errors


def _check_section(block: dict, pointer: str) -> list[str]:
    errors: list[str] = []
    if "text" not in block and "fields" not in block:
        errors.append(error("must provide either `text` or `fields`", pointer))
    if "text" in block:
        errors += check_text(block["text"], pointer + "/text", MAX_SECTION_TEXT)
    if "fields" in block:
        problems = check_count(block["fields"], pointer + "/fields", most=MAX_SECTION_FIELDS)
        errors += problems
        for i, field in enumerate(block["fields"] if not problems else []):
            errors += check_text(field, f"{pointer}/fields/{i}", MAX_FIELD_TEXT)
    if "accessory" in block:
        errors += check_element(block["accessory"], pointer + "/accessory")
    return errors


def _check_context(block: dict, pointer: str) -> list[str]:
    """A context block holds text objects and image elements, no more than 10."""
    elements = block.get("elements")
    errors = check_count(elements, pointer + "/elements", most=MAX_CONTEXT_ELEMENTS)
    if errors:
        return errors
    for i, element in enumerate(elements):
        where = f"{pointer}/elements/{i}"
        if isinstance(element, dict) and element.get("type") in ("plain_text", "mrkdwn"):
            errors += check_text(element, where)
        elif isinstance(element, dict) and element.get("type") == "image":
            errors += check_element(element, where)
        else:
            errors.append(error("must be a text object or an image element", where))
    return errors


def _check_actions(block: dict, pointer: str, *, checked: bool) -> list[str]:
    """Up to 25 elements whose action_ids are unique within the block."""
    elements = block.get("elements")
    errors = check_count(elements, pointer + "/elements", most=MAX_ACTIONS_ELEMENTS)
    if errors:
        return errors
    seen: set[str] = set()
    for i, element in enumerate(elements):
        if checked:  # context_actions holds its own element kinds; only their ids are checked here
            errors += check_element(element, f"{pointer}/elements/{i}")
        action_id = element.get("action_id") if isinstance(element, dict) else None
        if isinstance(action_id, str):
            if action_id in seen:
                errors.append(error(f"duplicate action_id: {action_id}", f"{pointer}/elements/{i}/action_id"))
            seen.add(action_id)
    return errors


def _check_input(block: dict, pointer: str) -> list[str]:
    errors = check_text(block.get("label"), pointer + "/label", MAX_LABEL, plain_only=True)
    if "hint" in block:
        errors += check_text(block["hint"], pointer + "/hint", MAX_LABEL, plain_only=True)
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
            errors += check_text(view["title"], "/view/title", MAX_VIEW_TEXT, plain_only=True)
        for key in ("submit", "close"):
            if key in view and view[key] is not None:
                errors += check_text(view[key], f"/view/{key}", MAX_VIEW_TEXT, plain_only=True)
        has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in view.get("blocks") or [])
        if has_input and not view.get("submit"):
            errors.append(error("must provide `submit` when input blocks are present", "/view/submit"))
    metadata = view.get("private_metadata", "")
    if not isinstance(metadata, str) or len(metadata) > MAX_PRIVATE_METADATA:
        errors.append(
            error(f"must be a string of less than {MAX_PRIVATE_METADATA + 1} characters", "/view/private_metadata")
        )
    errors += check_id(view.get("callback_id") or None, "/view/callback_id")
    errors += check_id(view.get("external_id") or None, "/view/external_id")
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
