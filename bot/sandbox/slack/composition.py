"""Block Kit composition objects as Slack checks them: text, option, option group, confirm.

Limits are from Slack's reference pages (docs.slack.dev/reference/block-kit/composition-objects).
"""

from __future__ import annotations

from typing import Any

from bot.sandbox.slack.problems import check_count, error, unknown_fields

MAX_TEXT = 3000  # any text object
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_OPTION_DESCRIPTION = 75
MAX_OPTION_URL = 3000
MAX_OPTIONS = 100  # per options list, and per option group
MAX_OPTION_GROUPS = 100
MAX_GROUP_LABEL = 75
MAX_CONFIRM_TITLE = 100
MAX_CONFIRM_TEXT = 300
MAX_CONFIRM_BUTTON = 30  # confirm and deny

TEXT_FIELDS = {"type", "text", "emoji", "verbatim"}
OPTION_FIELDS = {"text", "value", "description"}
OPTION_GROUP_FIELDS = {"label", "options"}
CONFIRM_FIELDS = {"title", "text", "confirm", "deny", "style"}
STYLES = ("primary", "danger")


def check_text(obj: Any, pointer: str, limit: int = MAX_TEXT, *, plain_only: bool = False) -> list[str]:
    """A text object: plain_text (or mrkdwn where allowed) with 1..limit characters."""
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        return [error("must provide an object with a string `text`", pointer)]
    kinds = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
    if obj.get("type") not in kinds:
        return [error(f"must be one of {', '.join(kinds)}", pointer + "/type")]
    errors = unknown_fields(obj, TEXT_FIELDS, pointer)
    # emoji is a plain_text switch and verbatim a mrkdwn one; Slack refuses either on the other type.
    if "emoji" in obj and obj["type"] != "plain_text":
        errors.append(error("`emoji` is only allowed when type is plain_text", pointer + "/emoji"))
    if "verbatim" in obj and obj["type"] != "mrkdwn":
        errors.append(error("`verbatim` is only allowed when type is mrkdwn", pointer + "/verbatim"))
    if not obj["text"]:
        errors.append(error("must be more than 0 characters", pointer + "/text"))
    elif len(obj["text"]) > limit:
        errors.append(error(f"must be less than {limit + 1} characters", pointer + "/text"))
    return errors


def check_option(option: Any, pointer: str, *, mrkdwn: bool = False, url: bool = False) -> list[str]:
    """An option: mrkdwn text only in checkboxes and radio buttons, `url` only in overflow menus."""
    if not isinstance(option, dict):
        return [error("must be an object", pointer)]
    errors = unknown_fields(option, OPTION_FIELDS | ({"url"} if url else set()), pointer)
    for field in ("text", "value"):
        if field not in option:
            errors.append(error(f"missing required field: {field}", pointer))
    if "text" in option:
        errors += check_text(option["text"], pointer + "/text", MAX_OPTION_TEXT, plain_only=not mrkdwn)
    if "value" in option:
        errors += _check_string(option["value"], pointer + "/value", MAX_OPTION_VALUE)
    if "description" in option:
        errors += check_text(
            option["description"], pointer + "/description", MAX_OPTION_DESCRIPTION, plain_only=not mrkdwn
        )
    if "url" in option:
        errors += _check_string(option["url"], pointer + "/url", MAX_OPTION_URL)
    return errors


def check_options(
    options: Any, pointer: str, *, most: int = MAX_OPTIONS, mrkdwn: bool = False, url: bool = False
) -> list[str]:
    """An options array: 1..most options, each checked."""
    errors = check_count(options, pointer, most=most)
    if errors:
        return errors
    for i, option in enumerate(options):
        errors += check_option(option, f"{pointer}/{i}", mrkdwn=mrkdwn, url=url)
    return errors


def check_option_group(group: Any, pointer: str) -> list[str]:
    """An option group: a plain_text label of ≤ 75 and 1..100 plain_text options."""
    if not isinstance(group, dict):
        return [error("must be an object", pointer)]
    errors = unknown_fields(group, OPTION_GROUP_FIELDS, pointer)
    for field in ("label", "options"):
        if field not in group:
            errors.append(error(f"missing required field: {field}", pointer))
    if "label" in group:
        errors += check_text(group["label"], pointer + "/label", MAX_GROUP_LABEL, plain_only=True)
    if "options" in group:
        errors += check_options(group["options"], pointer + "/options")
    return errors


def check_confirm(confirm: Any, pointer: str) -> list[str]:
    """A confirmation dialog: title, text, confirm and deny, all plain_text; style primary/danger."""
    if not isinstance(confirm, dict):
        return [error("must be an object", pointer)]
    errors = unknown_fields(confirm, CONFIRM_FIELDS, pointer)
    limits = {
        "title": MAX_CONFIRM_TITLE,
        "text": MAX_CONFIRM_TEXT,
        "confirm": MAX_CONFIRM_BUTTON,
        "deny": MAX_CONFIRM_BUTTON,
    }
    for field, limit in limits.items():
        if field not in confirm:
            errors.append(error(f"missing required field: {field}", pointer))
        else:
            errors += check_text(confirm[field], f"{pointer}/{field}", limit, plain_only=True)
    if "style" in confirm and confirm["style"] not in STYLES:
        errors.append(error(f"must be one of {', '.join(STYLES)}", pointer + "/style"))
    return errors


def same_option(one: Any, other: Any) -> bool:
    """Slack matches an initial option to an option by its value and its text."""
    if not isinstance(one, dict) or not isinstance(other, dict):
        return False
    return one.get("value") == other.get("value") and _text_key(one.get("text")) == _text_key(other.get("text"))


def _text_key(text: Any) -> tuple[Any, Any]:
    return (text.get("type"), text.get("text")) if isinstance(text, dict) else (None, None)


def _check_string(value: Any, pointer: str, limit: int) -> list[str]:
    if not isinstance(value, str):
        return [error("must be a string", pointer)]
    if len(value) > limit:
        return [error(f"must be less than {limit + 1} characters", pointer)]
    return []
