"""What a request form contains: its fields, their rules and values.

Pure: no Slack, no provider. Requirements (`bot.domain.requirements`) become `FormField`s, each
saying what to ask (label, hint, widget, bounds, options, the value to start from) and where it
belongs (category, reviewer feedback, a document to download); `bot.slack.form_blocks` renders
them as Block Kit. Contract with the rest of the bot: every requirement's field id is the
requirement's key (`block_id_for`), fixed fields use `senderName`, `additionalContactEmails`,
`applicationId`, `entityId`, `quantity` (and, in an RCS launch, `excludedCarriers`: the contract's
names). The widget's value is also the element's action id.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.domain.field_rules import describe_pattern, example_phone_number, is_valid_email, is_valid_url
from bot.domain.requirements import DOCUMENT_CONTENT_TYPES, DocumentType, Requirement
from bot.domain.text import truncate

# ---- Request kinds, fixed fields, shared rules ----------------------------------------------


class RequestKind(StrEnum):
    ALPHANUMERIC_REGISTRATION = "ALPHANUMERIC_REGISTRATION"
    NUMBER_PURCHASE = "NUMBER_PURCHASE"
    RCS_SENDER_LAUNCH = "RCS_SENDER_LAUNCH"


SENDER_KINDS = frozenset({RequestKind.ALPHANUMERIC_REGISTRATION, RequestKind.RCS_SENDER_LAUNCH})


class FixedField(StrEnum):
    """Fields of the request body itself, not requirements; their value is the block_id."""

    SENDER_NAME = "senderName"
    ADDITIONAL_CONTACT_EMAILS = "additionalContactEmails"
    APPLICATION_ID = "applicationId"
    ENTITY_ID = "entityId"
    QUANTITY = "quantity"
    EXCLUDED_CARRIERS = "excludedCarriers"  # RCS sender launch: carriers the sender is not launched with


SENDER_NAME_MIN = 3
SENDER_NAME_MAX = 11
RCS_SENDER_NAME_MIN = 1  # an RCS sender's name is its display name: 1..255 characters, any script
RCS_SENDER_NAME_MAX = 255
MAX_CONTACT_EMAILS = 3
QUANTITY_MIN = 1
QUANTITY_MAX = 49
ID_MAX_LENGTH = 255
MAX_FILES = 10  # Slack's file_input maximum
MAX_FILE_BYTES = 10 * 1024 * 1024  # per file, Slack's file_input limit
ALLOWED_DOCUMENT_EXTENSIONS = tuple(suffix.lstrip(".") for suffix in DOCUMENT_CONTENT_TYPES)

SELECT_OPTIONS_MAX = 100  # per list of options (Slack's static select and option group)
FIELD_ID_MAX = 255  # a field's id is its block_id in Slack
OPTION_VALUE_MAX = 150  # Slack's limit for an option's value
SELECT_GROUPS_MAX = 100
_MULTILINE_FROM_LENGTH = 256  # a TEXT allowed this long is prose, not a name

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
    rest = (FixedField.ADDITIONAL_CONTACT_EMAILS, FixedField.APPLICATION_ID, FixedField.ENTITY_ID)
    if kind == RequestKind.RCS_SENDER_LAUNCH:
        return (FixedField.SENDER_NAME, FixedField.EXCLUDED_CARRIERS, *rest)
    first = FixedField.SENDER_NAME if kind == RequestKind.ALPHANUMERIC_REGISTRATION else FixedField.QUANTITY
    return (first, *rest)


def block_id_for(key: str) -> str:
    """The field id (block_id) of a requirement: its key, unless it is longer than FIELD_ID_MAX."""
    if 0 < len(key) <= FIELD_ID_MAX:
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
    if options and len(options) <= SELECT_OPTIONS_MAX * SELECT_GROUPS_MAX:
        return Widget.MULTI_SELECT if multi else Widget.SELECT
    if multi:
        return Widget.LINES  # also too many options: typed and matched against them
    return {"INTEGER": Widget.NUMBER, "EMAIL": Widget.EMAIL, "URL": Widget.URL, "GSM": Widget.PHONE}.get(
        kind, Widget.TEXT
    )


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


# ---- Fields ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Download:
    """A document the field comes with (a template, a sample), and how to offer it."""

    document_id: str
    button_text: str
    sentence: str


@dataclass(frozen=True)
class FormField:
    """One field of a form: what to ask, how, with which bounds, starting from which value.

    `initial` is the value to start from: text for the text widgets (LINES: one value per line),
    the earlier value for NUMBER, a list of earlier values for SELECT, MULTI_SELECT and CONSENT
    (matched against `options` by `option_value`), None when there is none. `lead` goes before
    `hint` only when the widget can't show the whole consent statement (see the renderer).
    """

    block_id: str
    category: str
    label: str
    widget: Widget
    hint: str
    optional: bool
    feedback: str | None = None  # shown under the field: the reviewer's remark, or what went wrong with it
    download: Download | None = None
    requirement: Requirement | None = None
    fixed: FixedField | None = None
    initial: Any = None
    placeholder: str | None = None
    multiline: bool = False
    min_length: int | None = None
    max_length: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    options: tuple[str | int, ...] = ()
    max_files: int = 1


def join_hints(*parts: str | None) -> str:
    return " ".join(part.strip() for part in parts if part and part.strip())


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _valid_prefill(widget: Widget, value: Any) -> str | None:
    """Prefill for email/url inputs only when valid: a bad one could break the form."""
    text = str(value).strip() if value is not None else ""
    check = is_valid_email if widget == Widget.EMAIL else is_valid_url
    return text if text and check(text) else None


def _scalar_text(value: Any) -> str:
    """A previous value as one line of text (a list keeps its first item)."""
    values = as_list(value)
    return str(values[0]) if values and values[0] is not None else ""


def _download_for(requirement: Requirement) -> Download | None:
    attachment = requirement.attachment
    if attachment is None or not attachment.document_id:
        return None
    kind = str(getattr(attachment.document_type, "value", attachment.document_type))
    choices: dict[str, tuple[str, str]] = {
        DocumentType.TEMPLATE: ("Download template", "download the template, fill it in and upload it."),
        DocumentType.SAMPLE: ("Download sample", "download a sample to see what is expected."),
        DocumentType.PREFILLED_DOCUMENT: (
            "Download document",
            "download the prefilled document, check it and upload it.",
        ),
    }
    button, sentence = choices.get(kind, ("Download document", "download the attached document."))
    return Download(attachment.document_id, button, sentence)


@dataclass(frozen=True)
class _Asked:
    """How a requirement is asked, and what the hint adds to its description."""

    settings: dict[str, Any]
    hints: tuple[str | None, ...] = ()  # after the description
    keeps_previous: bool = False  # optional now: an earlier document is re-sent when empty


def _ask_choice(requirement: Requirement, widget: Widget, country: str, prefill: Any) -> _Asked:
    return _Asked({"options": tuple(distinct_options(requirement)), "initial": as_list(prefill)})


def _ask_number(requirement: Requirement, widget: Widget, country: str, prefill: Any) -> _Asked:
    rules = requirement.validation
    low, high = (rules.min_value, rules.max_value) if rules else (None, None)
    return _Asked({"min_value": low, "max_value": high, "initial": prefill})


def _ask_email_or_url(requirement: Requirement, widget: Widget, country: str, prefill: Any) -> _Asked:
    example = "name@example.com" if widget == Widget.EMAIL else "https://www.example.com"
    initial = _valid_prefill(widget, prefill)
    if initial:
        return _Asked({"initial": initial, "placeholder": example})
    sent = _scalar_text(prefill)
    return _Asked({"placeholder": example}, (f"You sent: {truncate(sent, 200)}" if sent else None,))


def _ask_phone(requirement: Requirement, widget: Widget, country: str, prefill: Any) -> _Asked:
    example = example_phone_number(country)
    return _Asked({"initial": _scalar_text(prefill), "placeholder": example}, (f"Example: {example}.",))


def _ask_files(requirement: Requirement, widget: Widget, country: str, prefill: Any) -> _Asked:
    accepted = f"Accepted: {', '.join(ALLOWED_DOCUMENT_EXTENSIONS)}."
    settings = {"max_files": MAX_FILES if requirement.multiple_values_supported else 1}
    if not prefill:
        return _Asked(settings, (accepted,))
    return _Asked(settings, (accepted, "Leave empty to keep the document you sent before."), keeps_previous=True)


def _ask_lines(requirement: Requirement, widget: Widget, country: str, prefill: Any) -> _Asked:
    initial = "\n".join(str(value) for value in as_list(prefill))
    return _Asked({"initial": initial, "placeholder": "One per line", "multiline": True}, (_lines_hint(requirement),))


def _ask_text(requirement: Requirement, widget: Widget, country: str, prefill: Any) -> _Asked:
    rules = requirement.validation
    low = rules.min_length if rules and requirement.required else None
    high = rules.max_length if rules and rules.max_length and rules.max_length >= 1 else None
    multiline = high is not None and high >= _MULTILINE_FROM_LENGTH
    settings = {"initial": _scalar_text(prefill), "multiline": multiline, "min_length": low, "max_length": high}
    return _Asked(settings, (_pattern_hint(requirement),))


_ASKERS = {
    Widget.SELECT: _ask_choice,
    Widget.MULTI_SELECT: _ask_choice,
    Widget.CONSENT: _ask_choice,
    Widget.NUMBER: _ask_number,
    Widget.EMAIL: _ask_email_or_url,
    Widget.URL: _ask_email_or_url,
    Widget.PHONE: _ask_phone,
    Widget.FILES: _ask_files,
    Widget.LINES: _ask_lines,
    Widget.TEXT: _ask_text,
}


def requirement_field(requirement: Requirement, country: str, prefill: Any, feedback: str | None) -> FormField:
    """How `requirement` is asked in a form for `country`, starting from `prefill`."""
    widget = widget_for(requirement)
    asked = _ASKERS[widget](requirement, widget, country, prefill)
    return FormField(
        block_id=block_id_for(requirement.key),
        category=category_name(requirement.category),
        label=requirement.name.strip() or requirement.key,
        widget=widget,
        hint=join_hints(requirement.description, *asked.hints),
        optional=not requirement.required or asked.keeps_previous,
        feedback=feedback,
        download=_download_for(requirement),
        requirement=requirement,
        **asked.settings,
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


def _name_field(value: Any, hint: str, placeholder: str, bounds: tuple[int, int]) -> dict[str, Any]:
    return {
        "label": "Sender name",
        "widget": Widget.TEXT,
        "hint": hint,
        "initial": _scalar_text(value),
        "placeholder": placeholder,
        "min_length": bounds[0],
        "max_length": bounds[1],
    }


def _sender_name_field(value: Any) -> dict[str, Any]:
    hint = (
        f"{SENDER_NAME_MIN} to {SENDER_NAME_MAX} characters with at least one letter; "
        "letters, digits, spaces and basic punctuation (GSM-7)."
    )
    return _name_field(value, hint, "e.g. ACME", (SENDER_NAME_MIN, SENDER_NAME_MAX))


def _rcs_sender_name_field(value: Any) -> dict[str, Any]:
    hint = (
        f"The name people see for the RCS sender (the agent), {RCS_SENDER_NAME_MIN} to {RCS_SENDER_NAME_MAX} "
        "characters. A sender is launched in one country only."
    )
    return _name_field(value, hint, "e.g. ACME Support", (RCS_SENDER_NAME_MIN, RCS_SENDER_NAME_MAX))


def _excluded_carriers_field(value: Any) -> dict[str, Any]:
    return {
        "label": "Excluded carriers",
        "widget": Widget.LINES,
        "hint": "Optional: mobile carriers of the country not to launch the sender with, one per line, "
        "named as Infobip names them. Leave empty to launch with every carrier.",
        "initial": "\n".join(str(carrier) for carrier in as_list(value)),
        "placeholder": "One carrier per line",
        "multiline": True,
    }


def _quantity_field(value: Any) -> dict[str, Any]:
    return {
        "label": "How many numbers",
        "widget": Widget.NUMBER,
        "hint": f"{QUANTITY_MIN} to {QUANTITY_MAX}.",
        "initial": value,
        "min_value": QUANTITY_MIN,
        "max_value": QUANTITY_MAX,
    }


def _contact_emails_field(value: Any) -> dict[str, Any]:
    hint = f"Up to {MAX_CONTACT_EMAILS} addresses, one per line. Infobip writes to them about this request."
    return {
        "label": "Additional contact emails",
        "widget": Widget.LINES,
        "hint": hint,
        "initial": "\n".join(str(email) for email in as_list(value)),
        "placeholder": "name@example.com",
        "multiline": True,
    }


def _id_field(what: str) -> Callable[[Any], dict[str, Any]]:
    def build(value: Any) -> dict[str, Any]:
        return {
            "label": f"{what.title()} ID",
            "widget": Widget.TEXT,
            "hint": f"Optional: the Infobip {what} to link the resource to.",
            "initial": _scalar_text(value),
            "max_length": ID_MAX_LENGTH,
        }

    return build


_FIXED_FIELDS = {
    FixedField.SENDER_NAME: _sender_name_field,
    FixedField.QUANTITY: _quantity_field,
    FixedField.ADDITIONAL_CONTACT_EMAILS: _contact_emails_field,
    FixedField.APPLICATION_ID: _id_field("application"),
    FixedField.ENTITY_ID: _id_field("entity"),
    FixedField.EXCLUDED_CARRIERS: _excluded_carriers_field,
}
REQUIRED_FIXED_FIELDS = frozenset({FixedField.SENDER_NAME, FixedField.QUANTITY})


def fixed_field(
    name: FixedField,
    prefill: Mapping[str, Any],
    feedback: str | None,
    *,
    quantity: int | None = None,
    kind: str | None = None,
) -> FormField:
    """The request-body field `name`, from `prefill`; a quantity starts at what was asked for, and
    a sender name follows the rules of the form's `kind` (an RCS name is not an alphanumeric one)."""
    value = prefill.get(name.value)
    if name == FixedField.ADDITIONAL_CONTACT_EMAILS and value is None:
        value = prefill.get("additionalContactEmailAddresses")  # the name Infobip's responses use
    if name == FixedField.QUANTITY and value is None:
        value = quantity or QUANTITY_MIN
    optional = name not in REQUIRED_FIXED_FIELDS
    build = _FIXED_FIELDS[name]
    if name == FixedField.SENDER_NAME and kind == RequestKind.RCS_SENDER_LAUNCH:
        build = _rcs_sender_name_field
    return FormField(
        block_id=name.value,
        category=FIXED_FIELD_CATEGORY,
        optional=optional,
        feedback=feedback,
        fixed=name,
        **build(value),
    )


def distinct_requirements(requirements: Iterable[Requirement | Mapping[str, Any]]) -> list[Requirement]:
    """Requirements as models, first of each key kept (field ids must be unique)."""
    seen: set[str] = set()
    result: list[Requirement] = []
    for item in requirements:
        requirement = item if isinstance(item, Requirement) else Requirement.model_validate(item)
        block_id = block_id_for(requirement.key)
        if block_id not in seen:
            seen.add(block_id)
            result.append(requirement)
    return result


def _grouped(fields: list[FormField]) -> list[FormField]:
    """Fields of one category together, categories in order of first appearance."""
    order: dict[str, int] = {}
    for item in fields:
        order.setdefault(item.category, len(order))
    return sorted(fields, key=lambda item: order[item.category])  # sorted() is stable


def collect_fields(
    requirements: Sequence[Requirement],
    prefill: Mapping[str, Any],
    feedback: Mapping[str, str],
    *,
    kind: str,
    country: str,
    quantity: int | None = None,
    update: bool = False,
) -> list[FormField]:
    """The fields of a form of `kind` for `country` in display order: the fixed ones first, then the
    requirements by category. An `update` (PATCH) carries requirements only: the fixed fields can't
    change, so aren't asked."""
    keys = {block_id_for(requirement.key) for requirement in requirements}
    fixed = [
        fixed_field(name, prefill, feedback.get(name.value), quantity=quantity, kind=kind)
        for name in (() if update else fixed_fields_for(kind))
        if name.value not in keys  # a requirement with the same key wins: field ids are unique
    ]
    asked = [
        requirement_field(requirement, country, prefill.get(requirement.key), feedback.get(requirement.key))
        for requirement in requirements
    ]
    return fixed + _grouped(asked)
