"""Infobip requirements → Slack modal blocks, and the small context a modal carries.

Contract with the rest of the bot: every requirement's input block has `block_id` equal to the
requirement's key (`block_id_for`), fixed fields use `senderName`, `additionalContactEmails`,
`applicationId`, `entityId`, `quantity`. Action ids are stable per widget ("text", "select",
"files", ...); values are read per block, so the action id only tells the widget apart.

A modal holds at most 100 blocks. `build_form` always returns views Slack accepts: first the
full layout (category headers, template buttons and reviewer feedback next to their field),
then a compact one (no headers, feedback moved into hints, template buttons gathered in one
actions block), and only if that is still too big, pages of the full layout.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

import phonenumbers
from pydantic import BaseModel, ConfigDict, Field

from bot.domain.mrkdwn import (
    ACTION_ID_MAX,
    BLOCK_ID_MAX,
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
    OPTION_VALUE_MAX,
    PLACEHOLDER_MAX,
    PRIVATE_METADATA_MAX,
    SECTION_TEXT_MAX,
    TEXT_INPUT_LENGTH_MAX,
    escape,
    escape_truncated,
    mrkdwn_text,
    plain_text,
    truncate,
)
from bot.providers.infobip.models import DOCUMENT_CONTENT_TYPES, DocumentType, Requirement

# ---- Request kinds, fixed fields, shared rules ----------------------------------------------


class RequestKind(StrEnum):
    ALPHANUMERIC_REGISTRATION = "ALPHANUMERIC_REGISTRATION"
    NUMBER_PURCHASE = "NUMBER_PURCHASE"


class FixedField(StrEnum):
    """Fields of the request body itself, not requirements; their value is the block_id."""

    SENDER_NAME = "senderName"
    ADDITIONAL_CONTACT_EMAILS = "additionalContactEmails"
    APPLICATION_ID = "applicationId"
    ENTITY_ID = "entityId"
    QUANTITY = "quantity"


SENDER_NAME_MIN = 3
SENDER_NAME_MAX = 11
MAX_CONTACT_EMAILS = 3
QUANTITY_MIN = 1
QUANTITY_MAX = 49
ID_MAX_LENGTH = 255
MAX_FILES = 10  # Slack's file_input maximum
MAX_FILE_BYTES = 10 * 1024 * 1024  # per file, Slack's file_input limit
ALLOWED_DOCUMENT_EXTENSIONS = tuple(suffix.lstrip(".") for suffix in DOCUMENT_CONTENT_TYPES)
DEFAULT_PHONE_EXAMPLE = "+385 91 123 4567"
DOWNLOAD_ACTION_PREFIX = "download_document"
DOWNLOAD_ACTION_PATTERN = re.compile(rf"^{DOWNLOAD_ACTION_PREFIX}:")

_SELECT_OPTIONS_MAX = 100  # per static select and per option group
_SELECT_GROUPS_MAX = 100
_ACTIONS_ELEMENTS_MAX = 25
_MULTILINE_FROM_LENGTH = 256  # a TEXT allowed this long is prose, not a name
_MIN_BLOCK_BUDGET = 6  # page indicator + intro + header + template + input + feedback

FIXED_FIELD_CATEGORY = "Request details"
CATEGORY_NAMES = {
    "BUSINESS_DETAILS": "Business details",
    "USE_CASE_DETAILS": "Use case details",
    "CONTACT_INFORMATION": "Contact information",
    "OTHER": "Other",
}

FEEDBACK_CODE_TEXT = {
    "RES_REQ_FEED_REQUIRED": "This is required.",
    "RES_REQ_FEED_FORMAT": "The format is not accepted.",
    "RES_REQ_FEED_LENGTH_OOR": "The length is out of the allowed range.",
    "RES_REQ_FEED_VALUE_OOR": "The value is out of the allowed range.",
    "RES_REQ_FEED_OTHER": "Please check this value.",
    "RES_REQ_FEED_USER_ACTION_REQUIRED": "Your action is required.",
}


class Widget(StrEnum):
    """How a field is asked for; also the element's action_id."""

    TEXT = "text"
    LINES = "lines"  # several values, one per line
    SELECT = "select"
    MULTI_SELECT = "multi_select"
    CONSENT = "consent"
    NUMBER = "number"
    EMAIL = "email"
    URL = "url"
    PHONE = "phone"
    FILES = "files"


def fixed_fields_for(kind: str) -> tuple[FixedField, ...]:
    """The request-body fields a form of this kind asks for, in display order."""
    first = FixedField.SENDER_NAME if kind == RequestKind.ALPHANUMERIC_REGISTRATION else FixedField.QUANTITY
    return (first, FixedField.ADDITIONAL_CONTACT_EMAILS, FixedField.APPLICATION_ID, FixedField.ENTITY_ID)


def block_id_for(key: str) -> str:
    """The block_id of a requirement: its key, unless Slack's 255-character limit forbids it."""
    if 0 < len(key) <= BLOCK_ID_MAX:
        return key
    return "k:" + hashlib.sha256(key.encode()).hexdigest()[:40]


def requirement_type(requirement: Requirement) -> str:
    return str(getattr(requirement.type, "value", requirement.type)).upper()


def distinct_options(requirement: Requirement) -> list[str | int]:
    """The requirement's options without duplicates (Slack rejects repeated option values)."""
    seen: set[str] = set()
    options: list[str | int] = []
    for option in requirement.options or []:
        token = option_value(option)
        if token not in seen:
            seen.add(token)
            options.append(option)
    return options


def option_value(option: str | int) -> str:
    """An option's value in Slack (≤150 characters); `option_for_value` maps it back."""
    text = str(option)
    if len(text) <= OPTION_VALUE_MAX:
        return text
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()[:48]


def option_for_value(requirement: Requirement, value: Any) -> str | int | None:
    """The full option (text or integer) a submitted Slack value stands for, or None."""
    token = str(value)
    for option in distinct_options(requirement):
        if option_value(option) == token:
            return option
    return None


def is_consent(requirement: Requirement) -> bool:
    """A TEXT with a single option ("I consent that …") is a tick box, not a choice."""
    return requirement_type(requirement) == "TEXT" and len(distinct_options(requirement)) == 1


def widget_for(requirement: Requirement) -> Widget:
    kind = requirement_type(requirement)
    multi = requirement.multiple_values_supported
    options = distinct_options(requirement)
    if kind == "DOCUMENT":
        return Widget.FILES
    if is_consent(requirement):
        return Widget.CONSENT
    if options and len(options) <= _SELECT_OPTIONS_MAX * _SELECT_GROUPS_MAX:
        return Widget.MULTI_SELECT if multi else Widget.SELECT
    if multi:
        return Widget.LINES  # also too many options: typed and matched against them
    return {"INTEGER": Widget.NUMBER, "EMAIL": Widget.EMAIL, "URL": Widget.URL, "GSM": Widget.PHONE}.get(
        kind, Widget.TEXT
    )


def example_phone_number(country: str | None) -> str:
    """A mobile number of the country in international format, for placeholders and errors."""
    example = phonenumbers.example_number_for_type((country or "").upper(), phonenumbers.PhoneNumberType.MOBILE)
    if example is None:
        return DEFAULT_PHONE_EXAMPLE
    return phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def category_name(category: str | None) -> str:
    """Human name of a requirement category; unknown ones title-cased."""
    if not category:
        return CATEGORY_NAMES["OTHER"]
    return CATEGORY_NAMES.get(category.upper(), category.replace("_", " ").strip().title() or "Other")


def feedback_by_key(items: Iterable[Any]) -> dict[str, str]:
    """`{key: text}` from Infobip's `requirementsFeedback` (dicts or models); codes give a default."""
    by_key: dict[str, list[str]] = {}
    for item in items or []:
        get = item.get if isinstance(item, Mapping) else lambda name, it=item: getattr(it, name, None)
        key = str(get("key") or "")
        code = str(getattr(get("code"), "value", get("code")) or "")
        text = str(get("feedback") or "").strip() or FEEDBACK_CODE_TEXT.get(code, "Please check this value.")
        by_key.setdefault(key, []).append(text)
    return {key: " ".join(texts) for key, texts in by_key.items()}


# ---- Value rules shared with validation ------------------------------------------------------

_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,63}"
)


def is_valid_email(text: str) -> bool:
    """A plain address (name@example.com): what Infobip's reviewers can write to."""
    return len(text) <= 254 and _EMAIL.fullmatch(text) is not None


def is_valid_url(text: str) -> bool:
    """An http(s) address with a host name, as a browser would open it."""
    if not text or any(char.isspace() for char in text):
        return False
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        parts.port  # raises ValueError on a malformed port
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and ("." in host.strip(".") or host == "localhost")


# Pattern descriptions: "^[A-Z]{2}[0-9]{8,12}$" → "2 capital letters followed by 8 to 12 digits".
_CLASS_NOUNS = {"A-Z": ("capital letter", "capital letters"), "a-z": ("lowercase letter", "lowercase letters"),
                "0-9": ("digit", "digits")}
_PATTERN_ATOM = re.compile(
    r"\[(?P<cls>[^\]^\\]+)\]"  # a character class, not negated
    r"|\\(?P<esc>[dDwWsS.\-+*?()\[\]{}|^$/\\])"  # \d or an escaped character
    r"|(?P<lit>[^\\\[\](){}|*+?.^$])"  # a plain character
)
_PATTERN_COUNT = re.compile(r"\{(\d+)(,(\d*))?\}\??|[+*?]\??")


def _class_parts(body: str) -> list[tuple[str, str]] | None:
    parts: list[tuple[str, str]] = []
    rest = body
    for name, nouns in _CLASS_NOUNS.items():
        if name in rest:
            parts.append(nouns)
            rest = rest.replace(name, "", 1)
    if "-" in rest.strip("-"):
        return None  # another range, e.g. A-F: too specific to put in words
    parts += [(f"“{char}”", f"“{char}”") for char in dict.fromkeys(rest)]
    if {"capital letters", "lowercase letters"} <= {plural for _, plural in parts}:
        parts = [("letter", "letters")] + [p for p in parts if p[1] not in ("capital letters", "lowercase letters")]
    return parts or None


def _count_phrase(token: str | None) -> tuple[str, bool]:
    """("2", plural?) for a quantifier; no quantifier means exactly one."""
    if not token:
        return "1", False
    token = token.rstrip("?") if len(token) > 1 else token
    simple = {"+": ("one or more", True), "*": ("any number of", True), "?": ("an optional", False)}
    if token in simple:
        return simple[token]
    low, _, high = token.strip("{}").partition(",")
    if not _:
        return low, low != "1"
    if not high:
        return f"at least {low}", True
    return (f"{low} to {high}" if low != "0" else f"up to {high}"), True


def describe_pattern(pattern: str) -> str | None:
    """Words for a simple regular expression, or None when it is too complex to describe."""
    body = pattern.removeprefix("^").removesuffix("$")
    atoms: list[tuple[list[tuple[str, str]], str | None]] = []
    position = 0
    while position < len(body):
        atom = _PATTERN_ATOM.match(body, position)
        if atom is None:
            return None
        if atom["cls"]:
            parts = _class_parts(atom["cls"])
        elif atom["esc"]:
            parts = [("digit", "digits")] if atom["esc"] == "d" else (
                [(f"“{atom['esc']}”",) * 2] if atom["esc"] not in "DwWsS" else None)
        else:
            parts = [(f"“{atom['lit']}”",) * 2]
        if parts is None:
            return None
        count = _PATTERN_COUNT.match(body, atom.end())
        position = count.end() if count else atom.end()
        atoms.append((parts, count.group(0) if count else None))
    return _atoms_in_words(atoms) if atoms else None


def _atoms_in_words(atoms: list[tuple[list[tuple[str, str]], str | None]]) -> str:
    words: list[str] = []
    literal = ""
    for parts, count in atoms:
        is_literal = len(parts) == 1 and parts[0][0].startswith("“") and count is None
        if is_literal:
            literal += parts[0][0][1:-1]
            continue
        if literal:
            words.append(f"“{literal}”")
            literal = ""
        amount, plural = _count_phrase(count)
        nouns = [plural_form if plural else singular for singular, plural_form in parts]
        noun = nouns[0] if len(nouns) == 1 else ", ".join(nouns[:-1]) + " or " + nouns[-1]
        words.append(f"{amount} {noun}")
    if literal:
        words.append(f"“{literal}”")
    return " followed by ".join(words)


# ---- private_metadata -----------------------------------------------------------------------


class PrivateMetadataTooLarge(ValueError):
    """The context does not fit Slack's 3000-character private_metadata."""


class FormContext(BaseModel):
    """What a modal needs to remember between open and submit, kept small for private_metadata.

    Requirements and values never go here: store them server-side and keep only `state_key`.
    """

    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)

    kind: RequestKind = Field(alias="k")
    country: str = Field(alias="c")
    number_type: str | None = Field(None, alias="nt")
    capabilities: tuple[str, ...] = Field((), alias="cap")
    quantity: int | None = Field(None, alias="q")
    traffic_origin: str | None = Field(None, alias="to")
    traffic_type: str | None = Field(None, alias="tt")
    request_id: str | None = Field(None, alias="r")  # set when updating an existing request
    page: int = Field(0, alias="p")
    page_count: int = Field(1, alias="pc")
    state_key: str | None = Field(None, alias="s")
    channel_id: str | None = Field(None, alias="ch")

    def dump(self) -> str:
        """Compact JSON for `private_metadata`; raises PrivateMetadataTooLarge over 3000 chars."""
        raw = self.model_dump_json(by_alias=True, exclude_none=True, exclude_defaults=True)
        if len(raw) > PRIVATE_METADATA_MAX:
            raise PrivateMetadataTooLarge(
                f"private_metadata would be {len(raw)} characters, Slack allows {PRIVATE_METADATA_MAX}: "
                "store the large state server-side and keep only its state_key here"
            )
        return raw

    @classmethod
    def load(cls, raw: str) -> FormContext:
        return cls.model_validate_json(raw)


def form_title(context: FormContext) -> str:
    """Modal title (≤24 characters)."""
    what = "Sender ID" if context.kind == RequestKind.ALPHANUMERIC_REGISTRATION else "Numbers"
    verb = "Update" if context.request_id else "Request"
    return truncate(f"{verb} {what} · {context.country.upper()}", MODAL_TITLE_MAX)


# ---- Fields ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Download:
    document_id: str
    button_text: str
    sentence: str


@dataclass(frozen=True)
class _Field:
    block_id: str
    category: str
    label: str
    element: dict
    hint: str
    optional: bool
    feedback: str | None = None  # shown under the field: the reviewer's remark, or what went wrong with it
    download: _Download | None = None
    requirement: Requirement | None = None
    fixed: FixedField | None = None

    @property
    def cost(self) -> int:
        """Blocks this field takes in the full layout."""
        return 1 + (self.download is not None) + (self.feedback is not None)


@dataclass(frozen=True)
class FormPage:
    """One modal's worth of blocks and the fields it asks for (to validate that page alone)."""

    page: int
    page_count: int
    blocks: list[dict]
    requirements: list[Requirement] = field(default_factory=list)
    fixed_fields: tuple[FixedField, ...] = ()


def _join(*parts: str | None) -> str:
    return " ".join(part.strip() for part in parts if part and part.strip())


def _placeholder(text: str) -> dict:
    return plain_text(text, PLACEHOLDER_MAX)


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _as_int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _text_element(widget: Widget, *, initial: str | None = None, placeholder: str | None = None,
                  multiline: bool = False, min_length: int | None = None, max_length: int | None = None) -> dict:
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": widget.value}
    if multiline:
        element["multiline"] = True
    if min_length:
        element["min_length"] = min_length
    if max_length:
        element["max_length"] = max_length
    if initial:
        element["initial_value"] = initial[: max_length or TEXT_INPUT_LENGTH_MAX]  # Slack refuses longer
    if placeholder:
        element["placeholder"] = _placeholder(placeholder)
    return element


def _length_bounds(requirement: Requirement) -> tuple[int | None, int | None]:
    """min/max_length for Slack (0..3000, min ≤ max); min only on required fields."""
    rules = requirement.validation
    if rules is None:
        return None, None
    low = min(max(rules.min_length or 0, 0), TEXT_INPUT_LENGTH_MAX) if requirement.required else 0
    high = min(rules.max_length, TEXT_INPUT_LENGTH_MAX) if rules.max_length and rules.max_length >= 1 else None
    if high is not None and low > high:
        low = 0
    return (low or None), high


def _option_object(option: str | int) -> dict:
    return {"text": plain_text(str(option), OPTION_TEXT_MAX), "value": option_value(option)}


def _option_groups(options: list[dict]) -> list[dict]:
    groups = []
    for start in range(0, len(options), _SELECT_OPTIONS_MAX):
        chunk = options[start : start + _SELECT_OPTIONS_MAX]
        label = f"Options {start + 1}–{start + len(chunk)}"
        groups.append({"label": plain_text(label, OPTION_GROUP_LABEL_MAX), "options": chunk})
    return groups


def _select_element(requirement: Requirement, widget: Widget, prefill: Any) -> dict:
    options = [_option_object(option) for option in distinct_options(requirement)]
    element: dict[str, Any] = {
        "type": "multi_static_select" if widget == Widget.MULTI_SELECT else "static_select",
        "action_id": widget.value,
        "placeholder": _placeholder("Choose…"),
    }
    if len(options) <= _SELECT_OPTIONS_MAX:
        element["options"] = options
    else:  # Slack allows 100 options per list, but 100 groups of 100
        element["option_groups"] = _option_groups(options)
    wanted = {option_value(value) for value in _as_list(prefill)}
    chosen = [option for option in options if option["value"] in wanted]
    if chosen and widget == Widget.MULTI_SELECT:
        element["initial_options"] = chosen
    elif chosen:
        element["initial_option"] = chosen[0]
    return element


def _consent_element(consent: str, prefill: Any) -> dict:
    text = consent if len(consent) <= OPTION_TEXT_MAX else "I agree"
    option = {"text": plain_text(text, OPTION_TEXT_MAX), "value": option_value(consent)}
    element: dict[str, Any] = {"type": "checkboxes", "action_id": Widget.CONSENT.value, "options": [option]}
    if option["value"] in {option_value(value) for value in _as_list(prefill)}:
        element["initial_options"] = [option]
    return element


def _number_element(low: int | None, high: int | None, prefill: Any) -> dict:
    element: dict[str, Any] = {"type": "number_input", "action_id": Widget.NUMBER.value, "is_decimal_allowed": False}
    if low is not None and high is not None and low > high:
        low = high = None  # contradictory rules: leave the range to validation
    if low is not None:
        element["min_value"] = str(low)
    if high is not None:
        element["max_value"] = str(high)
    initial = _as_int(prefill)
    if initial is not None and (low is None or initial >= low) and (high is None or initial <= high):
        element["initial_value"] = str(initial)
    if low is not None or high is not None:
        element["placeholder"] = _placeholder(_range_text(low, high))
    return element


def _range_text(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f"{low:,} to {high:,}"
    return f"At least {low:,}" if low is not None else f"At most {high:,}"


def _files_element(multi: bool) -> dict:
    return {
        "type": "file_input",
        "action_id": Widget.FILES.value,
        "filetypes": list(ALLOWED_DOCUMENT_EXTENSIONS),
        "max_files": MAX_FILES if multi else 1,
    }


def _valid_prefill(widget: Widget, value: Any) -> str | None:
    """Prefill for Slack's email/url inputs only when valid: a bad one could break the view."""
    text = str(value).strip() if value is not None else ""
    check = is_valid_email if widget == Widget.EMAIL else is_valid_url
    return text if text and check(text) else None


def _scalar_text(value: Any) -> str:
    """A previous value as one line of text (a list keeps its first item)."""
    values = _as_list(value)
    return str(values[0]) if values and values[0] is not None else ""


def _download_for(requirement: Requirement) -> _Download | None:
    attachment = requirement.attachment
    if attachment is None or not attachment.document_id:
        return None
    kind = str(getattr(attachment.document_type, "value", attachment.document_type))
    button, sentence = {
        DocumentType.TEMPLATE: ("Download template", "download the template, fill it in and upload it."),
        DocumentType.SAMPLE: ("Download sample", "download a sample to see what is expected."),
        DocumentType.PREFILLED_DOCUMENT: (
            "Download document", "download the prefilled document, check it and upload it."),
    }.get(kind, ("Download document", "download the attached document."))
    return _Download(attachment.document_id, button, sentence)


@dataclass(frozen=True)
class _Built:
    """An element and what the hint should add to the requirement's description."""

    element: dict
    hints: tuple[str | None, ...] = ()  # after the description
    lead: str | None = None  # before the description
    keeps_previous: bool = False  # optional now: an earlier document is re-sent when empty


def _build_select(requirement: Requirement, widget: Widget, context: FormContext, prefill: Any) -> _Built:
    return _Built(_select_element(requirement, widget, prefill))


def _build_consent(requirement: Requirement, widget: Widget, context: FormContext, prefill: Any) -> _Built:
    consent = str(distinct_options(requirement)[0])
    # Slack's option text holds 75 characters: a longer statement is quoted in the hint.
    quoted = f"“{consent}”" if len(consent) > OPTION_TEXT_MAX else None
    return _Built(_consent_element(consent, prefill), lead=quoted)


def _build_number(requirement: Requirement, widget: Widget, context: FormContext, prefill: Any) -> _Built:
    rules = requirement.validation
    low, high = (rules.min_value, rules.max_value) if rules else (None, None)
    return _Built(_number_element(low, high, prefill))


def _build_email_or_url(requirement: Requirement, widget: Widget, context: FormContext, prefill: Any) -> _Built:
    example = "name@example.com" if widget == Widget.EMAIL else "https://www.example.com"
    element = {"type": f"{widget.value}_text_input", "action_id": widget.value, "placeholder": _placeholder(example)}
    initial = _valid_prefill(widget, prefill)
    if initial:
        element["initial_value"] = initial
        return _Built(element)
    sent = _scalar_text(prefill)
    return _Built(element, (f"You sent: {truncate(sent, 200)}" if sent else None,))


def _build_phone(requirement: Requirement, widget: Widget, context: FormContext, prefill: Any) -> _Built:
    example = example_phone_number(context.country)
    return _Built(_text_element(widget, initial=_scalar_text(prefill), placeholder=example), (f"Example: {example}.",))


def _build_files(requirement: Requirement, widget: Widget, context: FormContext, prefill: Any) -> _Built:
    accepted = f"Accepted: {', '.join(ALLOWED_DOCUMENT_EXTENSIONS)}."
    element = _files_element(requirement.multiple_values_supported)
    if not prefill:
        return _Built(element, (accepted,))
    return _Built(element, (accepted, "Leave empty to keep the document you sent before."), keeps_previous=True)


def _build_lines(requirement: Requirement, widget: Widget, context: FormContext, prefill: Any) -> _Built:
    initial = "\n".join(str(value) for value in _as_list(prefill))
    element = _text_element(widget, initial=initial, placeholder="One per line", multiline=True)
    return _Built(element, (_lines_hint(requirement),))


def _build_text(requirement: Requirement, widget: Widget, context: FormContext, prefill: Any) -> _Built:
    low, high = _length_bounds(requirement)
    multiline = high is not None and high >= _MULTILINE_FROM_LENGTH
    element = _text_element(widget, initial=_scalar_text(prefill), multiline=multiline, min_length=low, max_length=high)
    return _Built(element, (_pattern_hint(requirement),))


_BUILDERS = {
    Widget.SELECT: _build_select,
    Widget.MULTI_SELECT: _build_select,
    Widget.CONSENT: _build_consent,
    Widget.NUMBER: _build_number,
    Widget.EMAIL: _build_email_or_url,
    Widget.URL: _build_email_or_url,
    Widget.PHONE: _build_phone,
    Widget.FILES: _build_files,
    Widget.LINES: _build_lines,
    Widget.TEXT: _build_text,
}


def _requirement_field(requirement: Requirement, context: FormContext, prefill: Any, feedback: str | None) -> _Field:
    widget = widget_for(requirement)
    built = _BUILDERS[widget](requirement, widget, context, prefill)
    return _Field(
        block_id=block_id_for(requirement.key),
        category=category_name(requirement.category),
        label=requirement.name.strip() or requirement.key,
        element=built.element,
        hint=_join(built.lead, requirement.description, *built.hints),
        optional=not requirement.required or built.keeps_previous,
        feedback=feedback,
        download=_download_for(requirement),
        requirement=requirement,
    )


def _pattern_hint(requirement: Requirement) -> str | None:
    pattern = requirement.validation.pattern if requirement.validation else None
    described = describe_pattern(pattern) if pattern else None
    return f"Format: {described}." if described else None


def _lines_hint(requirement: Requirement) -> str:
    kind = requirement_type(requirement)
    if requirement.options:
        return "One per line, each exactly as listed by the regulator."
    return {
        "EMAIL": "One address per line.",
        "URL": "One address per line, starting with https://.",
        "GSM": "One number per line, in international format.",
        "INTEGER": "One whole number per line.",
    }.get(kind, "One per line.")


def _sender_name_input(value: Any, context: FormContext) -> tuple[str, dict, str]:
    element = _text_element(Widget.TEXT, initial=_scalar_text(value), placeholder="e.g. ACME",
                            min_length=SENDER_NAME_MIN, max_length=SENDER_NAME_MAX)
    hint = (f"{SENDER_NAME_MIN} to {SENDER_NAME_MAX} characters with at least one letter; "
            "letters, digits, spaces and basic punctuation (GSM-7).")
    return "Sender name", element, hint


def _quantity_input(value: Any, context: FormContext) -> tuple[str, dict, str]:
    initial = value if value is not None else context.quantity or QUANTITY_MIN
    return "How many numbers", _number_element(QUANTITY_MIN, QUANTITY_MAX, initial), f"{QUANTITY_MIN} to {QUANTITY_MAX}."


def _contact_emails_input(value: Any, context: FormContext) -> tuple[str, dict, str]:
    initial = "\n".join(str(email) for email in _as_list(value))
    element = _text_element(Widget.LINES, initial=initial, placeholder="name@example.com", multiline=True)
    hint = f"Up to {MAX_CONTACT_EMAILS} addresses, one per line. Infobip writes to them about this request."
    return "Additional contact emails", element, hint


def _id_input(what: str) -> Callable[[Any, FormContext], tuple[str, dict, str]]:
    def build(value: Any, context: FormContext) -> tuple[str, dict, str]:
        element = _text_element(Widget.TEXT, initial=_scalar_text(value), max_length=ID_MAX_LENGTH)
        return f"{what.title()} ID", element, f"Optional: the Infobip {what} to link the resource to."

    return build


_FIXED_INPUTS = {
    FixedField.SENDER_NAME: _sender_name_input,
    FixedField.QUANTITY: _quantity_input,
    FixedField.ADDITIONAL_CONTACT_EMAILS: _contact_emails_input,
    FixedField.APPLICATION_ID: _id_input("application"),
    FixedField.ENTITY_ID: _id_input("entity"),
}
REQUIRED_FIXED_FIELDS = frozenset({FixedField.SENDER_NAME, FixedField.QUANTITY})


def _fixed_field(name: FixedField, context: FormContext, prefill: Mapping[str, Any], feedback: str | None) -> _Field:
    value = prefill.get(name.value)
    if name == FixedField.ADDITIONAL_CONTACT_EMAILS and value is None:
        value = prefill.get("additionalContactEmailAddresses")  # the name Infobip's responses use
    label, element, hint = _FIXED_INPUTS[name](value, context)
    optional = name not in REQUIRED_FIXED_FIELDS
    return _Field(name.value, FIXED_FIELD_CATEGORY, label, element, hint, optional, feedback, fixed=name)


def _distinct_requirements(requirements: Iterable[Requirement | Mapping]) -> list[Requirement]:
    """Requirements as models, first of each key kept (block_ids must be unique)."""
    seen: set[str] = set()
    result: list[Requirement] = []
    for item in requirements:
        requirement = item if isinstance(item, Requirement) else Requirement.model_validate(item)
        block_id = block_id_for(requirement.key)
        if block_id not in seen:
            seen.add(block_id)
            result.append(requirement)
    return result


def _grouped(fields: list[_Field]) -> list[_Field]:
    """Fields of one category together, categories in order of first appearance."""
    order: dict[str, int] = {}
    for item in fields:
        order.setdefault(item.category, len(order))
    return sorted(fields, key=lambda item: order[item.category])  # sorted() is stable


def _collect_fields(context: FormContext, requirements: list[Requirement], prefill: Mapping[str, Any],
                    feedback: Mapping[str, str]) -> list[_Field]:
    keys = {block_id_for(requirement.key) for requirement in requirements}
    # An update (PATCH) carries requirements only: the fixed fields can't change, so aren't asked.
    fixed_names = () if context.request_id else fixed_fields_for(context.kind)
    fixed = [
        _fixed_field(name, context, prefill, feedback.get(name.value))
        for name in fixed_names
        if name.value not in keys  # a requirement with the same key wins: block_ids are unique
    ]
    asked = [
        _requirement_field(requirement, context, prefill.get(requirement.key), feedback.get(requirement.key))
        for requirement in requirements
    ]
    return fixed + _grouped(asked)


# ---- Blocks ----------------------------------------------------------------------------------


def _input_block(item: _Field, hint: str) -> dict:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": item.block_id,
        "label": plain_text(item.label, LABEL_MAX),
        "element": item.element,
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


def _download_button(download: _Download) -> dict:
    action_id = f"{DOWNLOAD_ACTION_PREFIX}:{download.document_id}"
    if len(action_id) > ACTION_ID_MAX:
        action_id = f"{DOWNLOAD_ACTION_PREFIX}:{hashlib.sha256(download.document_id.encode()).hexdigest()[:40]}"
    return {
        "type": "button",
        "action_id": action_id,
        "text": plain_text(download.button_text, BUTTON_TEXT_MAX),
        "value": download.document_id[:BUTTON_VALUE_MAX],
    }


def document_id_from_action(action: Mapping[str, Any]) -> str:
    """The Infobip documentId a "Download …" button stands for (its value holds the full id)."""
    return str(action.get("value") or str(action.get("action_id", "")).partition(":")[2])


def _download_section(item: _Field) -> dict:
    download = item.download
    assert download is not None
    text = f"📄 *{escape_truncated(item.label, 1000)}*: {download.sentence}"
    return {"type": "section", "text": mrkdwn_text(text, SECTION_TEXT_MAX), "accessory": _download_button(download)}


def _feedback_block(feedback: str) -> dict:
    return _context_block(f"⚠️ {escape_truncated(feedback, CONTEXT_TEXT_MAX - 20)}")


def _intro_block(note: str | None, orphans: Mapping[str, str]) -> dict | None:
    """Reviewer remarks that belong to no field of the form (and the request's note) on top."""
    lines = [f"📝 {escape_truncated(note, 1500)}"] if note and note.strip() else []
    lines += [f"⚠️ Reviewer on *{escape(key)}*: {escape_truncated(text, 500)}" for key, text in orphans.items()]
    return _context_block("\n".join(lines)) if lines else None


def _page_block(page: int, page_count: int) -> dict:
    return _context_block(f"Page {page + 1} of {page_count}: submit this page to continue.")


def _full_blocks(fields: list[_Field]) -> list[dict]:
    blocks: list[dict] = []
    category = None
    for item in fields:
        if item.category != category:
            category = item.category
            blocks.append(_header_block(category))
        if item.download:
            blocks.append(_download_section(item))
        blocks.append(_input_block(item, item.hint))
        if item.feedback:
            blocks.append(_feedback_block(item.feedback))
    return blocks


def _compact_blocks(fields: list[_Field]) -> list[dict]:
    """One block per field: feedback goes into the hint, template buttons into actions blocks."""
    downloads = {item.download.document_id: item.download for item in fields if item.download}
    buttons = [_download_button(download) for download in downloads.values()]
    blocks = [
        {"type": "actions", "elements": buttons[start : start + _ACTIONS_ELEMENTS_MAX]}
        for start in range(0, len(buttons), _ACTIONS_ELEMENTS_MAX)
    ]
    for item in fields:
        hint = _join(f"⚠️ {item.feedback}" if item.feedback else None, item.hint)
        blocks.append(_input_block(item, hint))
    return blocks


def _paginate(fields: list[_Field], capacity_first: int, capacity: int) -> list[list[_Field]]:
    """Greedy pages in the full layout; a header is counted when a page starts a category."""
    pages: list[list[_Field]] = [[]]
    used, limit = 0, capacity_first
    for item in fields:
        current = pages[-1]
        cost = item.cost + (not current or current[-1].category != item.category)
        if current and used + cost > limit:
            pages.append([])
            used, limit = 0, capacity
            cost = item.cost + 1
        pages[-1].append(item)
        used += cost
    return pages


def _page(index: int, count: int, blocks: list[dict], fields: list[_Field]) -> FormPage:
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
    fields = _collect_fields(context, _distinct_requirements(requirements), prefill or {}, under)
    shown = {item.block_id for item in fields} | {item.requirement.key for item in fields if item.requirement}
    intro = _intro_block(note, {key: text for key, text in remarks.items() if key not in shown})
    head = [intro] if intro else []
    for layout in (_full_blocks, _compact_blocks):
        blocks = head + layout(fields)
        if len(blocks) <= block_budget:
            return [_page(0, 1, blocks, fields)]
    pages = _paginate(fields, block_budget - 1 - len(head), block_budget - 1)
    return [
        _page(index, len(pages), [_page_block(index, len(pages)), *(head if index == 0 else []), *_full_blocks(page)],
              page)
        for index, page in enumerate(pages)
    ]
