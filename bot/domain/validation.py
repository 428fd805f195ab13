"""Check a submitted form before anything is sent to Infobip.

`validate_submission` takes the flattened state (`bot.slack.form_values.flatten_state_values`), the
requirements and fixed fields shown on the submitted page, and returns either a
`ValidatedForm` (typed values ready for the request body) or `{block_id: message}` errors for
the modal to show under its fields. Messages say what to do, in plain words.

Documents are not uploaded here: their Slack files come back in `ValidatedForm.uploads`, and
`ValidatedForm.with_document_ids` puts the documentIds from the upload into the list.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import phonenumbers

from bot.domain.field_rules import describe_pattern, example_phone_number, is_valid_email, is_valid_url
from bot.domain.forms import (
    ALLOWED_DOCUMENT_EXTENSIONS,
    ID_MAX_LENGTH,
    MAX_CONTACT_EMAILS,
    MAX_FILE_BYTES,
    MAX_FILES,
    QUANTITY_MAX,
    QUANTITY_MIN,
    RCS_SENDER_NAME_MAX,
    RCS_SENDER_NAME_MIN,
    REQUIRED_FIXED_FIELDS,
    SENDER_NAME_MAX,
    SENDER_NAME_MIN,
    FixedField,
    RequestKind,
    Widget,
    block_id_for,
    distinct_options,
    option_for_value,
    requirement_type,
    widget_for,
)
from bot.domain.requirements import Requirement
from bot.domain.text import truncate

FormErrors = dict[str, str]

# GSM 03.38 basic character set without its control characters (LF, CR, ESC): what a sender
# name may use. Extension characters such as € [ ] { } cost two septets and are refused.
GSM7_BASIC = (
    "@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_SET = frozenset(GSM7_BASIC)

# How several values are typed into one multi-line box, per requirement type.
_LIST_SEPARATORS = {
    "EMAIL": r"[\s,;]+",
    "URL": r"\s+",
    "GSM": r"[\n,;]+",
    "INTEGER": r"[\n;]+",
}
_WHOLE_NUMBER = re.compile(r"[+-]?\d+|[+-]?\d{1,3}(?:,\d{3})+")


class Invalid(ValueError):
    """One field's value is wrong; the message is shown under the field."""


@dataclass(frozen=True)
class ValidatedForm:
    """Typed values of a valid form page, in the shape Infobip's request body wants."""

    requirements: list[dict[str, Any]] = field(default_factory=list)
    uploads: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # key → Slack files to upload
    multiple: frozenset[str] = frozenset()  # keys whose value is a list
    order: tuple[str, ...] = ()  # requirement keys in form order
    sender_name: str | None = None
    additional_contact_emails: list[str] = field(default_factory=list)
    application_id: str | None = None
    entity_id: str | None = None
    quantity: int | None = None
    excluded_carriers: list[str] = field(default_factory=list)

    def with_document_ids(self, document_ids: Mapping[str, Sequence[str]]) -> list[dict[str, Any]]:
        """All requirements once the uploads are done: documentIds filled in, form order kept."""
        missing = sorted(key for key in self.uploads if not document_ids.get(key))
        if missing:
            raise ValueError(f"no documentId for uploaded requirement(s): {', '.join(missing)}")
        values = {item["key"]: item["value"] for item in self.requirements}
        for key, ids in document_ids.items():
            values[key] = list(ids) if key in self.multiple else ids[0]
        return [{"key": key, "value": values[key]} for key in self.order if key in values]

    def fixed_values(self) -> dict[str, Any]:
        """The fixed fields that were filled in, by their request-body names."""
        values = {
            FixedField.SENDER_NAME.value: self.sender_name,
            FixedField.ADDITIONAL_CONTACT_EMAILS.value: self.additional_contact_emails or None,
            FixedField.APPLICATION_ID.value: self.application_id,
            FixedField.ENTITY_ID.value: self.entity_id,
            FixedField.QUANTITY.value: self.quantity,
            FixedField.EXCLUDED_CARRIERS.value: self.excluded_carriers or None,
        }
        return {name: value for name, value in values.items() if value is not None}


# ---- Small checks ----------------------------------------------------------------------------


def _is_empty(raw: Any) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, (list, tuple, dict)):
        return len(raw) == 0
    return False


def _quoted(item: str) -> str:
    return f"“{truncate(item, 40)}”"


def length_message(low: int | None, high: int | None) -> str:
    if low and high:
        return f"Use exactly {low} characters" if low == high else f"Use {low} to {high} characters"
    return f"Use at least {low} characters" if low else f"Use at most {high} characters"


def range_message(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f"Enter a number from {low:,} to {high:,}"
    return f"Enter a number of at least {low:,}" if low is not None else f"Enter a number of at most {high:,}"


def pattern_message(pattern: str) -> str:
    shown = truncate(pattern, 150)
    described = describe_pattern(pattern)
    if described:
        return f"Must be {described} (the format the regulator requires: {shown})"
    return f"Must match the format the regulator requires: {shown}"


def check_text(text: str, requirement: Requirement) -> str:
    rules = requirement.validation
    if rules is None:
        return text
    low, high = rules.min_length, rules.max_length
    if (low and len(text) < low) or (high and len(text) > high):
        raise Invalid(length_message(low, high))
    if rules.pattern and not _matches(rules.pattern, text):
        raise Invalid(pattern_message(rules.pattern))
    return text


def _matches(pattern: str, text: str) -> bool:
    try:
        return re.fullmatch(pattern, text) is not None
    except re.error:
        return True  # a pattern Python can't read (e.g. Java's \p{L}): Infobip checks it itself


def parse_whole_number(text: str) -> int:
    cleaned = str(text).strip().replace(" ", "").replace("_", "")
    if not _WHOLE_NUMBER.fullmatch(cleaned):
        raise Invalid("Enter a whole number")
    return int(cleaned.replace(",", ""))


def check_integer(raw: Any, requirement: Requirement) -> int:
    number = parse_whole_number(raw)
    rules = requirement.validation
    low, high = (rules.min_value, rules.max_value) if rules else (None, None)
    if (low is not None and number < low) or (high is not None and number > high):
        raise Invalid(range_message(low, high))
    return number


def check_email(text: str) -> str:
    if not is_valid_email(text):
        raise Invalid("Enter an email address like name@example.com")
    return text


def check_url(text: str) -> str:
    if not is_valid_url(text):
        raise Invalid("Enter a full web address starting with https://, e.g. https://www.example.com")
    return text


def normalize_phone_number(text: str, country: str | None = None) -> str:
    """E.164 (+385911234567) from a number typed in international format; Invalid otherwise."""
    message = f"Enter the number in international format, e.g. {example_phone_number(country)}"
    typed = text.strip()
    if typed.startswith("00"):
        typed = "+" + typed[2:]
    if not typed.startswith("+"):
        raise Invalid(message)
    try:
        number = phonenumbers.parse(typed, None)
    except phonenumbers.NumberParseException as error:
        raise Invalid(message) from error
    if not phonenumbers.is_valid_number(number):
        raise Invalid(message)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def check_sender_name(text: str) -> str:
    name = text.strip()
    if not SENDER_NAME_MIN <= len(name) <= SENDER_NAME_MAX:
        raise Invalid(length_message(SENDER_NAME_MIN, SENDER_NAME_MAX))
    refused = [char for char in dict.fromkeys(name) if char not in _GSM7_SET]
    if refused:
        shown = ", ".join(_quoted(char if char.isprintable() else f"U+{ord(char):04X}") for char in refused[:5])
        raise Invalid(f"Use only letters, digits, spaces and basic punctuation (GSM-7); remove {shown}")
    if not any(char.isalpha() for char in name):
        raise Invalid("Use at least one letter")
    return name


def check_rcs_sender_name(text: str) -> str:
    """An RCS sender's display name: 1 to 255 characters of any script, on one line."""
    name = " ".join(text.split())
    if not RCS_SENDER_NAME_MIN <= len(name) <= RCS_SENDER_NAME_MAX:
        raise Invalid(length_message(RCS_SENDER_NAME_MIN, RCS_SENDER_NAME_MAX))
    if any(not char.isprintable() for char in name):
        raise Invalid("Use only printable characters")
    return name


def check_excluded_carriers(raw: Any) -> list[str]:
    """Carrier names, one per line (commas and semicolons also separate); each once."""
    by_name: dict[str, str] = {}
    for carrier in _split(raw, r"[\n,;]+"):
        name = " ".join(carrier.split())
        if len(name) > ID_MAX_LENGTH:
            raise Invalid(f"{_quoted(name)}: {length_message(None, ID_MAX_LENGTH)}")
        by_name.setdefault(name.casefold(), name)
    return list(by_name.values())


def check_contact_emails(raw: Any) -> list[str]:
    emails = _split(raw, _LIST_SEPARATORS["EMAIL"])
    by_address: dict[str, str] = {}
    for email in emails:
        by_address.setdefault(email.lower(), email)  # the same address twice counts once
    if len(by_address) > MAX_CONTACT_EMAILS:
        raise Invalid(f"Add at most {MAX_CONTACT_EMAILS} email addresses")
    return [_item(check_email, email) for email in by_address.values()]


def _item(check: Callable[[str], Any], item: str) -> Any:
    """Run a check on one value of a list; the message names the value that is wrong."""
    try:
        return check(item)
    except Invalid as error:
        raise Invalid(f"{_quoted(item)}: {error}") from None


def _split(raw: Any, separator: str) -> list[str]:
    if isinstance(raw, (list, tuple)):
        items = [str(item) for item in raw]
    else:
        items = re.split(separator, str(raw or ""))
    return [item.strip() for item in items if item and item.strip()]


# ---- Requirements ----------------------------------------------------------------------------


def _chosen_option(requirement: Requirement, raw: Any) -> str | int:
    """The full option a select value (or, for huge lists, typed text) stands for."""
    option = option_for_value(requirement, raw)
    if option is None:
        typed = str(raw).strip().casefold()
        option = next((o for o in distinct_options(requirement) if str(o).strip().casefold() == typed), None)
    if option is None:
        raise Invalid("Choose one of the listed options")
    return option


def _scalar_check(requirement: Requirement, country: str | None) -> Callable[[str], Any]:
    kind = requirement_type(requirement)
    if requirement.options:
        return lambda text: _chosen_option(requirement, text)
    return {
        "INTEGER": lambda text: check_integer(text, requirement),
        "EMAIL": check_email,
        "URL": check_url,
        "GSM": lambda text: normalize_phone_number(text, country),
    }.get(kind, lambda text: check_text(text, requirement))


def _check_files(raw: Any, requirement: Requirement) -> list[dict[str, Any]]:
    files = [item if isinstance(item, Mapping) else {"id": str(item)} for item in raw]
    limit = MAX_FILES if requirement.multiple_values_supported else 1
    if len(files) > limit:
        raise Invalid("Attach only one file" if limit == 1 else f"Attach at most {limit} files")
    for file in files:
        name = str(file.get("name") or file.get("title") or "")
        extension = name.rpartition(".")[2].lower() if "." in name else ""
        if name and extension not in ALLOWED_DOCUMENT_EXTENSIONS:
            raise Invalid(f"{_quoted(name)} can't be sent: use {', '.join(ALLOWED_DOCUMENT_EXTENSIONS)}")
        size = file.get("size")
        if isinstance(size, int) and size > MAX_FILE_BYTES:
            raise Invalid(
                f"{_quoted(name or 'This file')} is {size / 2**20:.1f} MB; "
                f"a file can be at most {MAX_FILE_BYTES / 2**20:.0f} MB"
            )
    return [dict(file) for file in files]


def _empty_message(widget: Widget) -> str:
    return {
        Widget.SELECT: "Choose an option",
        Widget.MULTI_SELECT: "Choose at least one option",
        Widget.CONSENT: "Tick the box to continue",
        Widget.FILES: "Attach a file",
    }.get(widget, "This is required")


def check_requirement(requirement: Requirement, raw: Any, country: str | None = None) -> Any:
    """The typed value of one non-document requirement (raw is not empty); Invalid when wrong."""
    widget = widget_for(requirement)
    multi = requirement.multiple_values_supported
    check = _scalar_check(requirement, country)
    if widget == Widget.CONSENT:
        chosen = [_chosen_option(requirement, value) for value in _split(raw, r"\n")]
        return chosen if multi else chosen[0]
    if widget == Widget.MULTI_SELECT:
        return [_chosen_option(requirement, value) for value in _split(raw, r"\n")]
    if multi:
        separator = r"\n" if requirement.options else _LIST_SEPARATORS.get(requirement_type(requirement), r"\n")
        return [_item(check, item) for item in _split(raw, separator)]
    text = str(raw[0] if isinstance(raw, (list, tuple)) else raw).strip()
    return check(text)


# ---- Fixed fields ----------------------------------------------------------------------------


def _optional_id(raw: Any) -> str | None:
    text = str(raw or "").strip()
    if len(text) > ID_MAX_LENGTH:
        raise Invalid(length_message(None, ID_MAX_LENGTH))
    return text or None


def _quantity(raw: Any) -> int:
    number = parse_whole_number(raw)
    if not QUANTITY_MIN <= number <= QUANTITY_MAX:
        raise Invalid(range_message(QUANTITY_MIN, QUANTITY_MAX))
    return number


_FIXED_CHECKS: dict[FixedField, tuple[str, Callable[[Any], Any]]] = {
    # field → (ValidatedForm attribute, check)
    FixedField.SENDER_NAME: ("sender_name", lambda raw: check_sender_name(str(raw))),
    FixedField.ADDITIONAL_CONTACT_EMAILS: ("additional_contact_emails", check_contact_emails),
    FixedField.APPLICATION_ID: ("application_id", _optional_id),
    FixedField.ENTITY_ID: ("entity_id", _optional_id),
    FixedField.QUANTITY: ("quantity", _quantity),
    FixedField.EXCLUDED_CARRIERS: ("excluded_carriers", check_excluded_carriers),
}
# A form kind's own checks of a fixed field, where they differ from the above.
_KIND_FIXED_CHECKS: dict[tuple[str, FixedField], Callable[[Any], Any]] = {
    (RequestKind.RCS_SENDER_LAUNCH, FixedField.SENDER_NAME): lambda raw: check_rcs_sender_name(str(raw)),
}


# ---- The whole submission --------------------------------------------------------------------


def validate_submission(
    values: Mapping[str, Any],
    requirements: Sequence[Requirement | Mapping[str, Any]],
    *,
    fixed_fields: Iterable[str] = (),
    previous: Mapping[str, Any] | None = None,
    country: str | None = None,
    kind: str | None = None,
) -> ValidatedForm | FormErrors:
    """Typed values, or `{block_id: message}` for every field that needs another look.

    `values` is `{block_id: raw}`; pass the requirements and fixed fields of the submitted page
    (`requirements` and `fixed_fields` of `bot.slack.form_blocks.FormPage`). `previous` holds the
    values sent before (update flow): a document left empty keeps its earlier documentId. `kind`
    (a RequestKind) picks the rules of fields that differ by kind, such as the sender name.
    """
    previous = previous or {}
    errors: FormErrors = {}
    typed: list[dict[str, Any]] = []
    uploads: dict[str, list[dict[str, Any]]] = {}
    models = [item if isinstance(item, Requirement) else Requirement.model_validate(item) for item in requirements]
    for requirement in models:
        key = requirement.key
        try:
            outcome = _requirement_value(requirement, values.get(block_id_for(key)), previous.get(key), country)
        except Invalid as error:
            errors[block_id_for(key)] = str(error)
            continue
        if isinstance(outcome, _Upload):
            uploads[key] = outcome.files
        elif not _is_empty(outcome):
            typed.append({"key": key, "value": outcome})
    fixed = _fixed_values(values, fixed_fields, errors, kind)
    if errors:
        return errors
    return ValidatedForm(
        requirements=typed,
        uploads=uploads,
        multiple=frozenset(r.key for r in models if r.multiple_values_supported),
        order=tuple(r.key for r in models),
        **fixed,
    )


@dataclass(frozen=True)
class _Upload:
    files: list[dict[str, Any]]


def _requirement_value(requirement: Requirement, raw: Any, previous: Any, country: str | None) -> Any:
    """The typed value, an _Upload for new files, or None when left empty; Invalid when wrong."""
    widget = widget_for(requirement)
    if _is_empty(raw):
        if widget == Widget.FILES and not _is_empty(previous):
            return previous  # update flow: the document sent before is sent again
        value = None
    elif widget == Widget.FILES:
        return _Upload(_check_files(raw, requirement))
    else:
        value = check_requirement(requirement, raw, country)
    if _is_empty(value) and requirement.required:  # also when only separators were typed
        raise Invalid(_empty_message(widget))
    return value


def _fixed_values(
    values: Mapping[str, Any], fixed_fields: Iterable[str], errors: FormErrors, kind: str | None = None
) -> dict[str, Any]:
    """Checked fixed fields by ValidatedForm attribute; problems are added to `errors`."""
    fixed: dict[str, Any] = {}
    for name in map(FixedField, fixed_fields):
        attribute, check = _FIXED_CHECKS[name]
        check = _KIND_FIXED_CHECKS.get((str(kind), name), check)
        raw = values.get(name.value)
        try:
            if not _is_empty(raw):
                fixed[attribute] = check(raw)
            elif name in REQUIRED_FIXED_FIELDS:
                raise Invalid("This is required")
        except Invalid as error:
            errors[name.value] = str(error)
    return fixed


# ---- Forms of several pages ----------------------------------------------------------------


def combine_pages(pages: list[ValidatedForm]) -> ValidatedForm:
    """One ValidatedForm from the pages of a multi-page form."""
    first, *rest = pages
    combined = first
    for page in rest:
        fixed = {
            name: getattr(page, name)
            for name in ("sender_name", "application_id", "entity_id", "quantity")
            if getattr(page, name) is not None
        }
        if page.additional_contact_emails:
            fixed["additional_contact_emails"] = page.additional_contact_emails
        if page.excluded_carriers:
            fixed["excluded_carriers"] = page.excluded_carriers
        combined = replace(
            combined,
            requirements=combined.requirements + page.requirements,
            uploads={**combined.uploads, **page.uploads},
            multiple=combined.multiple | page.multiple,
            order=combined.order + page.order,
            **fixed,
        )
    return combined


def page_to_json(form: ValidatedForm) -> dict[str, Any]:
    """A validated page as JSON, kept server-side until the last page is submitted."""
    return {
        "requirements": form.requirements,
        "uploads": form.uploads,
        "multiple": sorted(form.multiple),
        "order": list(form.order),
        "sender_name": form.sender_name,
        "additional_contact_emails": form.additional_contact_emails,
        "application_id": form.application_id,
        "entity_id": form.entity_id,
        "quantity": form.quantity,
        "excluded_carriers": form.excluded_carriers,
    }


def page_from_json(data: dict[str, Any]) -> ValidatedForm:
    return ValidatedForm(**{**data, "multiple": frozenset(data["multiple"]), "order": tuple(data["order"])})
