"""Request forms as Slack modal blocks: renders the domain's `FormField`s (`bot.domain.forms`).

Every field's input block has `block_id` equal to the field's id (a requirement's key, or a
fixed field's name). Action ids are stable per widget ("text", "select", "files", ...); values
are read per block, so the action id only tells the widget apart.

A modal holds at most 100 blocks. `build_form` always returns views Slack accepts: first the
full layout (category headers, template buttons and reviewer feedback next to their field),
then a compact one (no headers, feedback moved into hints, template buttons gathered in one
actions block), and only if that is still too big, pages of the full layout.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.domain.forms import (
    ALLOWED_DOCUMENT_EXTENSIONS,
    SELECT_OPTIONS_MAX,
    FixedField,
    FormField,
    RequestKind,
    Widget,
    as_list,
    collect_fields,
    distinct_requirements,
    join_hints,
    option_value,
)
from bot.domain.requirements import Requirement
from bot.slack.form_context import FormContext
from bot.slack.mrkdwn import (
    ACTION_ID_MAX,
    BUTTON_TEXT_MAX,
    BUTTON_VALUE_MAX,
    CONTEXT_TEXT_MAX,
    HEADER_MAX,
    HINT_MAX,
    LABEL_MAX,
    MODAL_BLOCKS_MAX,
    MODAL_TITLE_MAX,
    OPTION_GROUP_LABEL_MAX,
    OPTION_TEXT_MAX,
    PLACEHOLDER_MAX,
    SECTION_TEXT_MAX,
    TEXT_INPUT_LENGTH_MAX,
    escape,
    escape_truncated,
    mrkdwn_text,
    plain_text,
    truncate,
)

DOWNLOAD_ACTION_PREFIX = "download_document"
DOWNLOAD_ACTION_PATTERN = re.compile(rf"^{DOWNLOAD_ACTION_PREFIX}:")

_ACTIONS_ELEMENTS_MAX = 25
_MIN_BLOCK_BUDGET = 6  # page indicator + intro + header + template + input + feedback


def form_title(context: FormContext) -> str:
    """Modal title (≤24 characters)."""
    what = {RequestKind.ALPHANUMERIC_REGISTRATION: "Sender ID", RequestKind.RCS_SENDER_LAUNCH: "RCS"}.get(
        context.kind, "Numbers"
    )
    verb = "Update" if context.request_id else "Request"
    return truncate(f"{verb} {what} · {context.country.upper()}", MODAL_TITLE_MAX)


@dataclass(frozen=True)
class FormPage:
    """One modal's worth of blocks and the fields it asks for (to validate that page alone)."""

    page: int
    page_count: int
    blocks: list[dict]
    requirements: list[Requirement] = field(default_factory=list)
    fixed_fields: tuple[FixedField, ...] = ()


# ---- Elements --------------------------------------------------------------------------------


def _placeholder(text: str) -> dict:
    return plain_text(text, PLACEHOLDER_MAX)


def _as_int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _length_bounds(low: int | None, high: int | None) -> tuple[int | None, int | None]:
    """min/max_length for Slack (0..3000, min ≤ max)."""
    low = min(max(low or 0, 0), TEXT_INPUT_LENGTH_MAX)
    high = min(high, TEXT_INPUT_LENGTH_MAX) if high and high >= 1 else None
    if high is not None and low > high:
        low = 0
    return (low or None), high


def _text_element(item: FormField) -> dict:
    min_length, max_length = _length_bounds(item.min_length, item.max_length)
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": item.widget.value}
    if item.multiline:
        element["multiline"] = True
    if min_length:
        element["min_length"] = min_length
    if max_length:
        element["max_length"] = max_length
    initial = str(item.initial) if item.initial else ""
    if initial:
        element["initial_value"] = initial[: max_length or TEXT_INPUT_LENGTH_MAX]  # Slack refuses longer
    if item.placeholder:
        element["placeholder"] = _placeholder(item.placeholder)
    return element


def _option_object(option: str | int) -> dict:
    return {"text": plain_text(str(option), OPTION_TEXT_MAX), "value": option_value(option)}


def _option_groups(options: list[dict]) -> list[dict]:
    groups = []
    for start in range(0, len(options), SELECT_OPTIONS_MAX):
        chunk = options[start : start + SELECT_OPTIONS_MAX]
        label = f"Options {start + 1}–{start + len(chunk)}"
        groups.append({"label": plain_text(label, OPTION_GROUP_LABEL_MAX), "options": chunk})
    return groups


def _select_element(item: FormField) -> dict:
    options = [_option_object(option) for option in item.options]
    element: dict[str, Any] = {
        "type": "multi_static_select" if item.widget == Widget.MULTI_SELECT else "static_select",
        "action_id": item.widget.value,
        "placeholder": _placeholder("Choose…"),
    }
    if len(options) <= SELECT_OPTIONS_MAX:
        element["options"] = options
    else:  # Slack allows 100 options per list, but 100 groups of 100
        element["option_groups"] = _option_groups(options)
    wanted = {option_value(value) for value in as_list(item.initial)}
    chosen = [option for option in options if option["value"] in wanted]
    if chosen and item.widget == Widget.MULTI_SELECT:
        element["initial_options"] = chosen
    elif chosen:
        element["initial_option"] = chosen[0]
    return element


def _consent_element(item: FormField) -> dict:
    consent = str(item.options[0])
    text = consent if len(consent) <= OPTION_TEXT_MAX else "I agree"
    option = {"text": plain_text(text, OPTION_TEXT_MAX), "value": option_value(consent)}
    element: dict[str, Any] = {"type": "checkboxes", "action_id": Widget.CONSENT.value, "options": [option]}
    if option["value"] in {option_value(value) for value in as_list(item.initial)}:
        element["initial_options"] = [option]
    return element


def _number_element(item: FormField) -> dict:
    low, high = item.min_value, item.max_value
    element: dict[str, Any] = {"type": "number_input", "action_id": Widget.NUMBER.value, "is_decimal_allowed": False}
    if low is not None and high is not None and low > high:
        low = high = None  # contradictory rules: leave the range to validation
    if low is not None:
        element["min_value"] = str(low)
    if high is not None:
        element["max_value"] = str(high)
    initial = _as_int(item.initial)
    if initial is not None and (low is None or initial >= low) and (high is None or initial <= high):
        element["initial_value"] = str(initial)
    if low is not None or high is not None:
        element["placeholder"] = _placeholder(_range_text(low, high))
    return element


def _range_text(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f"{low:,} to {high:,}"
    return f"At least {low:,}" if low is not None else f"At most {high:,}"


def _email_or_url_element(item: FormField) -> dict:
    element: dict[str, Any] = {
        "type": f"{item.widget.value}_text_input",
        "action_id": item.widget.value,
        "placeholder": _placeholder(item.placeholder or ""),
    }
    if item.initial:
        element["initial_value"] = item.initial
    return element


def _files_element(item: FormField) -> dict:
    return {
        "type": "file_input",
        "action_id": Widget.FILES.value,
        "filetypes": list(ALLOWED_DOCUMENT_EXTENSIONS),
        "max_files": item.max_files,
    }


_ELEMENTS = {
    Widget.SELECT: _select_element,
    Widget.MULTI_SELECT: _select_element,
    Widget.CONSENT: _consent_element,
    Widget.NUMBER: _number_element,
    Widget.EMAIL: _email_or_url_element,
    Widget.URL: _email_or_url_element,
    Widget.FILES: _files_element,
}


def element_for(item: FormField) -> dict:
    """The Block Kit element that asks for the field."""
    return _ELEMENTS.get(item.widget, _text_element)(item)


def _hint(item: FormField) -> str:
    """The field's hint; a consent statement too long for the checkbox is quoted first."""
    if item.widget == Widget.CONSENT and len(str(item.options[0])) > OPTION_TEXT_MAX:
        return join_hints(f"“{item.options[0]}”", item.hint)
    return item.hint


# ---- Blocks ----------------------------------------------------------------------------------


def _cost(item: FormField) -> int:
    """Blocks this field takes in the full layout."""
    return 1 + (item.download is not None) + (item.feedback is not None)


def _input_block(item: FormField, hint: str) -> dict:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": item.block_id,
        "label": plain_text(item.label, LABEL_MAX),
        "element": element_for(item),
    }
    if hint:
        block["hint"] = plain_text(hint, HINT_MAX)
    if item.optional:
        block["optional"] = True
    return block


def _header_block(text: str) -> dict:
    return {"type": "header", "text": plain_text(text, HEADER_MAX)}


def _context_block(mrkdwn: str) -> dict:
    return {"type": "context", "elements": [mrkdwn_text(mrkdwn, CONTEXT_TEXT_MAX)]}


def _download_button(document_id: str, button_text: str) -> dict:
    action_id = f"{DOWNLOAD_ACTION_PREFIX}:{document_id}"
    if len(action_id) > ACTION_ID_MAX:
        action_id = f"{DOWNLOAD_ACTION_PREFIX}:{hashlib.sha256(document_id.encode()).hexdigest()[:40]}"
    return {
        "type": "button",
        "action_id": action_id,
        "text": plain_text(button_text, BUTTON_TEXT_MAX),
        "value": document_id[:BUTTON_VALUE_MAX],
    }


def document_id_from_action(action: Mapping[str, Any]) -> str:
    """The Infobip documentId a "Download …" button stands for (its value holds the full id)."""
    return str(action.get("value") or str(action.get("action_id", "")).partition(":")[2])


def _download_section(item: FormField) -> dict:
    download = item.download
    assert download is not None
    text = f"📄 *{escape_truncated(item.label, 1000)}*: {download.sentence}"
    return {
        "type": "section",
        "text": mrkdwn_text(text, SECTION_TEXT_MAX),
        "accessory": _download_button(download.document_id, download.button_text),
    }


def _feedback_block(feedback: str) -> dict:
    return _context_block(f"⚠️ {escape_truncated(feedback, CONTEXT_TEXT_MAX - 20)}")


def _intro_block(note: str | None, orphans: Mapping[str, str]) -> dict | None:
    """Reviewer remarks that belong to no field of the form (and the request's note) on top."""
    lines = [f"📝 {escape_truncated(note, 1500)}"] if note and note.strip() else []
    lines += [f"⚠️ Reviewer on *{escape(key)}*: {escape_truncated(text, 500)}" for key, text in orphans.items()]
    return _context_block("\n".join(lines)) if lines else None


def _page_block(page: int, page_count: int) -> dict:
    return _context_block(f"Page {page + 1} of {page_count}: submit this page to continue.")


def _full_blocks(fields: list[FormField]) -> list[dict]:
    blocks: list[dict] = []
    category = None
    for item in fields:
        if item.category != category:
            category = item.category
            blocks.append(_header_block(category))
        if item.download:
            blocks.append(_download_section(item))
        blocks.append(_input_block(item, _hint(item)))
        if item.feedback:
            blocks.append(_feedback_block(item.feedback))
    return blocks


def _compact_blocks(fields: list[FormField]) -> list[dict]:
    """One block per field: feedback goes into the hint, template buttons into actions blocks."""
    downloads = {item.download.document_id: item.download for item in fields if item.download}
    buttons = [_download_button(download.document_id, download.button_text) for download in downloads.values()]
    blocks = [
        {"type": "actions", "elements": buttons[start : start + _ACTIONS_ELEMENTS_MAX]}
        for start in range(0, len(buttons), _ACTIONS_ELEMENTS_MAX)
    ]
    for item in fields:
        hint = join_hints(f"⚠️ {item.feedback}" if item.feedback else None, _hint(item))
        blocks.append(_input_block(item, hint))
    return blocks


def _paginate(fields: list[FormField], capacity_first: int, capacity: int) -> list[list[FormField]]:
    """Greedy pages in the full layout; a header is counted when a page starts a category."""
    pages: list[list[FormField]] = [[]]
    used, limit = 0, capacity_first
    for item in fields:
        current = pages[-1]
        cost = _cost(item) + (not current or current[-1].category != item.category)
        if current and used + cost > limit:
            pages.append([])
            used, limit = 0, capacity
            cost = _cost(item) + 1
        pages[-1].append(item)
        used += cost
    return pages


def _page(index: int, count: int, blocks: list[dict], fields: list[FormField]) -> FormPage:
    return FormPage(
        page=index,
        page_count=count,
        blocks=blocks,
        requirements=[item.requirement for item in fields if item.requirement is not None],
        fixed_fields=tuple(item.fixed for item in fields if item.fixed is not None),
    )


def build_form(
    context: FormContext,
    requirements: Sequence[Requirement | Mapping],
    *,
    prefill: Mapping[str, Any] | None = None,
    feedback: Mapping[str, str] | None = None,
    note: str | None = None,
    block_budget: int = MODAL_BLOCKS_MAX,
    problems: Mapping[str, str] | None = None,
) -> list[FormPage]:
    """The modal pages for a request form: usually one, several only when 100 blocks can't hold it.

    `prefill` holds earlier values by key (requirements and fixed fields, as sent to Infobip);
    `feedback` holds reviewer remarks by key (see `feedback_by_key`); `note` is the request's note.
    `block_budget` leaves room when the caller adds blocks of its own. `problems` holds, by key,
    what went wrong with a field after the form was acked (a file Slack would not hand over).
    """
    if block_budget < _MIN_BLOCK_BUDGET:
        raise ValueError(f"block_budget must be at least {_MIN_BLOCK_BUDGET}")
    remarks = {key: text for key, text in (feedback or {}).items() if text and str(text).strip()}
    under = {key: f"Reviewer: {text}" for key, text in remarks.items()}
    for key, text in (problems or {}).items():
        under[key] = " · ".join(filter(None, [text, under.get(key)]))
    fields = collect_fields(
        distinct_requirements(requirements),
        prefill or {},
        under,
        kind=context.kind,
        country=context.country,
        quantity=context.quantity,
        update=bool(context.request_id),
    )
    shown = {item.block_id for item in fields} | {item.requirement.key for item in fields if item.requirement}
    intro = _intro_block(note, {key: text for key, text in remarks.items() if key not in shown})
    head = [intro] if intro else []
    for layout in (_full_blocks, _compact_blocks):
        blocks = head + layout(fields)
        if len(blocks) <= block_budget:
            return [_page(0, 1, blocks, fields)]
    pages = _paginate(fields, block_budget - 1 - len(head), block_budget - 1)
    return [
        _page(
            index,
            len(pages),
            [_page_block(index, len(pages)), *(head if index == 0 else []), *_full_blocks(page)],
            page,
        )
        for index, page in enumerate(pages)
    ]
