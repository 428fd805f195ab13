"""Block Kit elements as Slack checks them: the fields each type takes and the rules on them.

Field lists and limits are from Slack's reference pages
(docs.slack.dev/reference/block-kit/block-elements); a field not listed for a type is refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from bot.sandbox.slack.composition import (
    MAX_OPTION_GROUPS,
    STYLES,
    check_confirm,
    check_option,
    check_option_group,
    check_options,
    check_text,
    same_option,
)
from bot.sandbox.slack.problems import check_count, check_typed, error

MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_URL = 3000
MAX_ACCESSIBILITY_LABEL = 75
MAX_PLACEHOLDER = 150
MAX_TEXT_INPUT_LENGTH = 3000  # plain_text_input max_length, and so any initial_value
MAX_CHOICES = 10  # checkboxes and radio buttons
MAX_OVERFLOW_OPTIONS = 5
MAX_FILES = 10
MAX_ALT_TEXT = 2000

_INTERACTIVE = {"type", "action_id"}
_MENU = _INTERACTIVE | {"confirm", "focus_on_load", "placeholder"}
_TYPED_INPUT = _INTERACTIVE | {"initial_value", "dispatch_action_config", "focus_on_load", "placeholder"}

ELEMENT_FIELDS: dict[str, set[str]] = {
    "button": _INTERACTIVE | {"text", "url", "value", "style", "confirm", "accessibility_label"},
    "workflow_button": _INTERACTIVE | {"text", "workflow", "style", "accessibility_label"},
    "checkboxes": _INTERACTIVE | {"options", "initial_options", "confirm", "focus_on_load"},
    "radio_buttons": _INTERACTIVE | {"options", "initial_option", "confirm", "focus_on_load"},
    "overflow": _INTERACTIVE | {"options", "confirm"},
    "datepicker": _MENU | {"initial_date"},
    "timepicker": _MENU | {"initial_time", "timezone"},
    "datetimepicker": _INTERACTIVE | {"initial_date_time", "confirm", "focus_on_load"},
    "plain_text_input": _TYPED_INPUT | {"multiline", "min_length", "max_length"},
    "email_text_input": _TYPED_INPUT,
    "url_text_input": _TYPED_INPUT,
    "rich_text_input": _TYPED_INPUT,
    "number_input": _TYPED_INPUT | {"is_decimal_allowed", "min_value", "max_value"},
    "file_input": _INTERACTIVE | {"filetypes", "max_files"},
    "image": {"type", "image_url", "slack_file", "alt_text"},
    "static_select": _MENU | {"options", "option_groups", "initial_option"},
    "external_select": _MENU | {"initial_option", "min_query_length"},
    "users_select": _MENU | {"initial_user"},
    "conversations_select": _MENU
    | {"initial_conversation", "default_to_current_conversation", "response_url_enabled", "filter"},
    "channels_select": _MENU | {"initial_channel", "response_url_enabled"},
    "multi_static_select": _MENU | {"options", "option_groups", "initial_options", "max_selected_items"},
    "multi_external_select": _MENU | {"initial_options", "min_query_length", "max_selected_items"},
    "multi_users_select": _MENU | {"initial_users", "max_selected_items"},
    "multi_conversations_select": _MENU
    | {"initial_conversations", "default_to_current_conversation", "max_selected_items", "filter"},
    "multi_channels_select": _MENU | {"initial_channels", "max_selected_items"},
}


def check_element(element: Any, pointer: str) -> list[str]:
    """Slack's complaints about one element (an accessory, an actions or input element)."""
    kind, errors = check_typed(element, ELEMENT_FIELDS, pointer, id_field="action_id")
    if kind is None:
        return errors
    if "placeholder" in element:
        errors += check_text(element["placeholder"], pointer + "/placeholder", MAX_PLACEHOLDER, plain_only=True)
    if "confirm" in element:
        errors += check_confirm(element["confirm"], pointer + "/confirm")
    checker = _CHECKS.get(kind)
    if checker is not None:
        errors += checker(element, pointer)
    return errors


def _check_button(element: dict, pointer: str) -> list[str]:
    errors = _required(element, pointer, "text")
    if "text" in element:
        errors += check_text(element["text"], pointer + "/text", MAX_BUTTON_TEXT, plain_only=True)
    errors += _string_field(element, "value", pointer, MAX_BUTTON_VALUE)
    errors += _string_field(element, "url", pointer, MAX_URL)
    errors += _string_field(element, "accessibility_label", pointer, MAX_ACCESSIBILITY_LABEL)
    if "style" in element and element["style"] not in STYLES:
        errors.append(error(f"must be one of {', '.join(STYLES)}", pointer + "/style"))
    return errors


def _check_plain_text_input(element: dict, pointer: str) -> list[str]:
    errors: list[str] = []
    low, high = element.get("min_length"), element.get("max_length")
    if "max_length" in element and not _is_int(high, 1, MAX_TEXT_INPUT_LENGTH):
        errors.append(error(f"must be an integer from 1 to {MAX_TEXT_INPUT_LENGTH}", pointer + "/max_length"))
        high = None
    if "min_length" in element and not _is_int(low, 0, MAX_TEXT_INPUT_LENGTH):
        errors.append(error(f"must be an integer from 0 to {MAX_TEXT_INPUT_LENGTH}", pointer + "/min_length"))
        low = None
    if isinstance(low, int) and isinstance(high, int) and low > high:
        errors.append(error("min_length must not be greater than max_length", pointer + "/min_length"))
    if "initial_value" in element:
        limit = high if isinstance(high, int) else MAX_TEXT_INPUT_LENGTH
        errors += _string_field(element, "initial_value", pointer, limit)
    return errors


_INTEGER = re.compile(r"-?\d+")
_NUMBER = re.compile(r"-?(\d+(\.\d*)?|\.\d+)")


def _check_number_input(element: dict, pointer: str) -> list[str]:
    if not isinstance(element.get("is_decimal_allowed"), bool):
        where = pointer + "/is_decimal_allowed" if "is_decimal_allowed" in element else pointer
        message = (
            "must be a boolean" if "is_decimal_allowed" in element else "missing required field: is_decimal_allowed"
        )
        return [error(message, where)]
    pattern = _NUMBER if element["is_decimal_allowed"] else _INTEGER
    wording = "a number" if element["is_decimal_allowed"] else "a whole number (decimals are not allowed)"
    errors: list[str] = []
    values: dict[str, Decimal] = {}
    for field in ("min_value", "max_value", "initial_value"):
        if field not in element:
            continue
        value = element[field]
        if not isinstance(value, str) or not pattern.fullmatch(value):
            errors.append(error(f"must be a string holding {wording}", f"{pointer}/{field}"))
        else:
            values[field] = Decimal(value)
    low, high, initial = values.get("min_value"), values.get("max_value"), values.get("initial_value")
    if low is not None and high is not None and low > high:
        errors.append(error("min_value must not be greater than max_value", pointer + "/min_value"))
    if initial is not None and ((low is not None and initial < low) or (high is not None and initial > high)):
        errors.append(error("initial_value must be between min_value and max_value", pointer + "/initial_value"))
    return errors


def _check_file_input(element: dict, pointer: str) -> list[str]:
    errors: list[str] = []
    if "max_files" in element and not _is_int(element["max_files"], 1, MAX_FILES):
        errors.append(error(f"must be an integer from 1 to {MAX_FILES}", pointer + "/max_files"))
    filetypes = element.get("filetypes")
    if "filetypes" in element and (
        not isinstance(filetypes, list) or not all(isinstance(t, str) and t for t in filetypes)
    ):
        errors.append(error("must be an array of strings", pointer + "/filetypes"))
    return errors


def _check_static_select(element: dict, pointer: str) -> list[str]:
    has_options, has_groups = "options" in element, "option_groups" in element
    if has_options == has_groups:
        return [error("must provide exactly one of `options` or `option_groups`", pointer)]
    if has_options:
        errors = check_options(element["options"], pointer + "/options")
    else:
        errors = check_count(element["option_groups"], pointer + "/option_groups", most=MAX_OPTION_GROUPS)
        if not errors:
            for i, group in enumerate(element["option_groups"]):
                errors += check_option_group(group, f"{pointer}/option_groups/{i}")
    return errors + _check_initial(element, pointer)


def _check_choices(element: dict, pointer: str) -> list[str]:
    """Checkboxes and radio buttons: up to 10 options, whose text may be mrkdwn."""
    errors = _required(element, pointer, "options")
    if "options" in element:
        errors += check_options(element["options"], pointer + "/options", most=MAX_CHOICES, mrkdwn=True)
    return errors + _check_initial(element, pointer, mrkdwn=True)


def _check_overflow(element: dict, pointer: str) -> list[str]:
    errors = _required(element, pointer, "options")
    if "options" in element:
        errors += check_options(element["options"], pointer + "/options", most=MAX_OVERFLOW_OPTIONS, url=True)
    return errors


def _check_external_select(element: dict, pointer: str) -> list[str]:
    """External menus have no options to match: an initial option need only be an option."""
    errors = []
    if "initial_option" in element:
        errors += check_option(element["initial_option"], pointer + "/initial_option")
    for i, option in enumerate(element.get("initial_options") or []):
        errors += check_option(option, f"{pointer}/initial_options/{i}")
    return errors


def _check_image(element: dict, pointer: str) -> list[str]:
    errors = _required(element, pointer, "alt_text")
    if "image_url" not in element and "slack_file" not in element:
        errors.append(error("must provide either `image_url` or `slack_file`", pointer))
    errors += _string_field(element, "alt_text", pointer, MAX_ALT_TEXT)
    errors += _string_field(element, "image_url", pointer, MAX_URL)
    return errors


def _check_workflow_button(element: dict, pointer: str) -> list[str]:
    errors = _required(element, pointer, "text", "workflow")
    if "text" in element:
        errors += check_text(element["text"], pointer + "/text", MAX_BUTTON_TEXT, plain_only=True)
    return errors


def _check_initial(element: dict, pointer: str, *, mrkdwn: bool = False) -> list[str]:
    """initial_option / initial_options must each be one of the element's options."""
    offered = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        if isinstance(group, dict):
            offered += group.get("options") or []
    chosen: list[tuple[Any, str]] = []
    if "initial_option" in element:
        chosen.append((element["initial_option"], pointer + "/initial_option"))
    if "initial_options" in element:
        initial = element["initial_options"]
        if not isinstance(initial, list):
            return [error("must be an array", pointer + "/initial_options")]
        chosen += [(option, f"{pointer}/initial_options/{i}") for i, option in enumerate(initial)]
    errors: list[str] = []
    for option, where in chosen:
        problems = check_option(option, where, mrkdwn=mrkdwn)
        if problems:
            errors += problems
        elif not any(same_option(option, candidate) for candidate in offered):
            errors.append(error("must match one of the provided options", where))
    return errors


def _required(element: dict, pointer: str, *fields: str) -> list[str]:
    return [error(f"missing required field: {field}", pointer) for field in fields if field not in element]


def _string_field(element: dict, field: str, pointer: str, limit: int) -> list[str]:
    if field not in element:
        return []
    value = element[field]
    if not isinstance(value, str):
        return [error("must be a string", f"{pointer}/{field}")]
    if len(value) > limit:
        return [error(f"must be less than {limit + 1} characters", f"{pointer}/{field}")]
    return []


def _is_int(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


_CHECKS: dict[str, Callable[[dict, str], list[str]]] = {
    "button": _check_button,
    "workflow_button": _check_workflow_button,
    "plain_text_input": _check_plain_text_input,
    "number_input": _check_number_input,
    "file_input": _check_file_input,
    "static_select": _check_static_select,
    "multi_static_select": _check_static_select,
    "external_select": _check_external_select,
    "multi_external_select": _check_external_select,
    "checkboxes": _check_choices,
    "radio_buttons": _check_choices,
    "overflow": _check_overflow,
    "image": _check_image,
}
