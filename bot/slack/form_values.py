"""Flatten Slack's `view.state.values` into `{block_id: raw value}`.

Slack nests each value as `values[block_id][action_id]` and names the value field after the
element type (`value`, `selected_option`, `files`, ...). Validation only cares about the block,
so this module removes both layers. Values stay raw: option values are not mapped back to the
requirement's option text here (validation does that, it knows the requirement).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Element type → the field of the state entry that holds its value.
_VALUE_FIELDS: dict[str, str] = {
    "plain_text_input": "value",
    "email_text_input": "value",
    "url_text_input": "value",
    "number_input": "value",
    "static_select": "selected_option",
    "external_select": "selected_option",
    "radio_buttons": "selected_option",
    "multi_static_select": "selected_options",
    "multi_external_select": "selected_options",
    "checkboxes": "selected_options",
    "datepicker": "selected_date",
    "timepicker": "selected_time",
    "datetimepicker": "selected_date_time",
    "users_select": "selected_user",
    "multi_users_select": "selected_users",
    "conversations_select": "selected_conversation",
    "multi_conversations_select": "selected_conversations",
    "channels_select": "selected_channel",
    "multi_channels_select": "selected_channels",
    "file_input": "files",
    "rich_text_input": "rich_text_value",
}


def _option_value(option: Any) -> Any:
    return option.get("value") if isinstance(option, Mapping) else option


def element_value(state: Mapping[str, Any]) -> Any:
    """The raw value of one element's state entry: a string, a list, file dicts, or None."""
    field = _VALUE_FIELDS.get(str(state.get("type", "")))
    if field is None:
        # An element type Slack added later: take the first field that looks like a value.
        field = next((k for k in _VALUE_FIELDS.values() if k in state), None)
    if field is None:
        return None
    raw = state.get(field)
    if field == "selected_option":
        return _option_value(raw) if raw else None
    if field == "selected_options":
        return [_option_value(option) for option in raw or []]
    if field == "files":
        return list(raw or [])
    return raw


def flatten_state_values(values: Mapping[str, Mapping[str, Mapping[str, Any]]] | None) -> dict[str, Any]:
    """`{block_id: raw}` from `view.state.values`.

    An input block holds one element, so its value stands alone. A block with several elements
    (not produced by our forms) maps to `{action_id: raw}` so nothing is silently dropped.
    """
    flat: dict[str, Any] = {}
    for block_id, actions in (values or {}).items():
        raw_by_action = {action_id: element_value(state) for action_id, state in (actions or {}).items()}
        if len(raw_by_action) == 1:
            flat[block_id] = next(iter(raw_by_action.values()))
        elif raw_by_action:
            flat[block_id] = raw_by_action
    return flat
