"""Block Kit pieces the modals are made of: sections, context lines, buttons, inputs, options and
paging, each within Slack's limits. Text passed as mrkdwn must be escaped already (bot/slack/mrkdwn.py);
labels, hints, placeholders and dialog text are plain text, shown as typed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.slack.mrkdwn import BLOCK_ID_MAX, OPTION_VALUE_MAX, mrkdwn_text, plain_text


def section(text: str, *, accessory: dict[str, Any] | None = None, block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "section", "text": mrkdwn_text(text)}
    if accessory:
        block["accessory"] = accessory
    if block_id:
        block["block_id"] = block_id[:BLOCK_ID_MAX]
    return block


def context(text: str) -> dict[str, Any]:
    """A line of small print under what it explains."""
    return {"type": "context", "elements": [mrkdwn_text(text)]}


def button(
    text: str, action_id: str, value: str, *, style: str | None = None, confirm: dict[str, Any] | None = None
) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "button", "text": plain_text(text, 75), "action_id": action_id, "value": value}
    if style:
        element["style"] = style
    if confirm:
        element["confirm"] = confirm
    return element


def delete_button(text: str, action_id: str, value: str, *, question: str, warning: str) -> dict[str, Any]:
    """A red button that asks `question` ("Delete this entity?") with `warning` before it is sent (Slack
    shows the dialog's text as plain text: no markup, no escaping)."""
    dialog = {
        "title": plain_text(question, 100),
        "text": plain_text(warning, 300),
        "confirm": plain_text("Delete", 30),
        "deny": plain_text("Keep it", 30),
        "style": "danger",
    }
    return button(text, action_id, value, style="danger", confirm=dialog)


def option(value: str, label: str) -> dict[str, Any]:
    """A select option. Its value must fit Slack's 150 characters (see `fits_options`)."""
    return {"text": plain_text(label, 75), "value": value}


def fits_options(values: Iterable[str]) -> bool:
    """Whether every value can be a select option's value as it is: a cut one would submit another id,
    so a longer one is typed into a text input instead."""
    return all(len(value) <= OPTION_VALUE_MAX for value in values)


def static_select(
    options: list[dict[str, Any]],
    *,
    initial: str | None = None,
    or_first: bool = False,
    placeholder: str | None = None,
    action_id: str = "value",
) -> dict[str, Any]:
    """A select showing the option valued `initial` (or, with `or_first`, the first when none is)."""
    element: dict[str, Any] = {"type": "static_select", "action_id": action_id, "options": options}
    chosen = next((o for o in options if o["value"] == initial), options[0] if or_first and options else None)
    if chosen:
        element["initial_option"] = chosen
    if placeholder:
        element["placeholder"] = plain_text(placeholder, 150)
    return element


def input_block(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool = False, hint: str | None = None
) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": plain_text(label, 2000),
        "element": element,
    }
    if hint:
        block["hint"] = plain_text(hint, 2000)
    return block


def text_input(
    *,
    max_length: int | None = None,
    placeholder: str | None = None,
    initial: str | None = None,
    multiline: bool = False,
) -> dict[str, Any]:
    """A text input (its action id "value", as every input the bot reads by block)."""
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": "value"}
    if multiline:
        element["multiline"] = True
    if max_length:
        element["max_length"] = max_length
    if placeholder:
        element["placeholder"] = plain_text(placeholder, 150)
    if initial:
        element["initial_value"] = initial
    return element


def paging(page: int, page_count: int, actions: tuple[str, str], block_id: str = "nav") -> list[dict[str, Any]]:
    """The ◀ Previous and Next ▶ buttons under page `page` (0-based) of a list, each valued with the
    page it shows; nothing when there is no other page."""
    buttons = []
    if page > 0:
        buttons.append(button("◀ Previous", actions[0], str(page - 1)))
    if page + 1 < page_count:
        buttons.append(button("Next ▶", actions[1], str(page + 1)))
    return [{"type": "actions", "block_id": block_id, "elements": buttons}] if buttons else []
