"""Company profiles: requirement values and documents filled once, reused in every request form.

Pure: no Slack, no provider, no store. A profile holds values by requirement key (and the fixed
fields a form shares with every other: contact emails, application, entity) and documents by
requirement key, each with the Infobip documentId it was uploaded under, so a form reuses it
without a second upload. The rules here: which of a form's fields a profile fills (matched by
key), which documents are still valid, what a prefilled value breaks, how values are typed as
text in the profile editor, and what a profile saved from a submission holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from bot.domain.forms import FixedField, as_list, block_id_for, requirement_type
from bot.domain.requirements import Requirement
from bot.domain.validation import Invalid, check_contact_emails, check_requirement

NAME_MAX = 60
VALUE_LINES_MAX = 3000  # the editor's text input
# Fixed fields a profile may fill: the request's own (sender name, quantity) are not the company's.
PROFILE_FIXED_FIELDS = (FixedField.ADDITIONAL_CONTACT_EMAILS, FixedField.APPLICATION_ID, FixedField.ENTITY_ID)


@dataclass(frozen=True)
class ProfileDocument:
    """A document uploaded to Infobip once: its file name, documentId, when, and until when it may be used."""

    name: str
    document_id: str
    uploaded_at: str  # ISO time
    valid_until: str | None = None  # ISO date; None: no end

    def is_valid_on(self, today: date) -> bool:
        """Still usable on `today` (its last day included)."""
        return self.valid_until is None or date.fromisoformat(self.valid_until) >= today

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "documentId": self.document_id,
            "uploadedAt": self.uploaded_at,
            "validUntil": self.valid_until,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ProfileDocument:
        return cls(
            name=str(data.get("name") or data.get("documentId") or ""),
            document_id=str(data["documentId"]),
            uploaded_at=str(data.get("uploadedAt") or ""),
            valid_until=data.get("validUntil") or None,
        )


@dataclass(frozen=True)
class Profile:
    id: str
    name: str
    values: dict[str, Any] = field(default_factory=dict)  # requirement key (or fixed field) → value as sent
    documents: dict[str, list[ProfileDocument]] = field(default_factory=dict)  # requirement key → documents
    updated_by: str | None = None
    updated_at: str | None = None

    @property
    def document_count(self) -> int:
        return sum(len(items) for items in self.documents.values())

    def expired_count(self, today: date) -> int:
        return sum(not doc.is_valid_on(today) for items in self.documents.values() for doc in items)


def documents_to_json(documents: Mapping[str, Sequence[ProfileDocument]]) -> dict[str, list[dict[str, Any]]]:
    return {key: [doc.to_json() for doc in items] for key, items in documents.items() if items}


def documents_from_json(data: Mapping[str, Any] | None) -> dict[str, list[ProfileDocument]]:
    return {str(key): [ProfileDocument.from_json(item) for item in items or []] for key, items in (data or {}).items()}


# ---- Names ----------------------------------------------------------------------------------


def name_problem(name: str | None) -> str | None:
    """Why `name` can't name a profile, or None."""
    text = (name or "").strip()
    if not text:
        return "Give the profile a name, e.g. the company's: Acme"
    if len(text) > NAME_MAX:
        return f"Use at most {NAME_MAX} characters"
    if not text.isprintable():
        return "Use only printable characters"
    return None


def same_name(a: str, b: str) -> bool:
    """Profile names are unique regardless of case and surrounding spaces."""
    return a.strip().casefold() == b.strip().casefold()


# ---- Valid-until dates ------------------------------------------------------------------------


def parse_valid_until(text: str | None) -> str | None:
    """An ISO date ("2027-03-12") from a date picker or typed text; None when empty; Invalid otherwise."""
    typed = (text or "").strip()
    if not typed:
        return None
    try:
        return date.fromisoformat(typed).isoformat()
    except ValueError:
        raise Invalid("Use a date like 2027-03-12") from None


def day_month(iso: str | None, today: date) -> str:
    """ "12 Mar" in the current year, "12 Mar 2025" otherwise."""
    if not iso:
        return "an unknown day"
    try:
        when = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{when.day} {when:%b}" if when.year == today.year else f"{when.day} {when:%b %Y}"


# ---- Prefilling a form ----------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileFill:
    """What a profile puts into one form: prefill values by key (documents as their documentIds),
    the documents reused and those not reused because they expired, by requirement key."""

    values: dict[str, Any] = field(default_factory=dict)
    reused: dict[str, list[ProfileDocument]] = field(default_factory=dict)
    expired: dict[str, list[ProfileDocument]] = field(default_factory=dict)
    fields: int = 0  # how many fields the form has that a profile could fill

    @property
    def filled(self) -> int:
        """How many of the form's fields the profile filled."""
        return len(self.values)


def fill_form(
    profile: Profile,
    requirements: Sequence[Requirement],
    fixed_fields: Iterable[str],
    today: date,
) -> ProfileFill:
    """The form's fields `profile` fills, matched by requirement key (and fixed field name). A
    document is reused only while valid; a requirement taking one document gets the newest."""
    values: dict[str, Any] = {}
    reused: dict[str, list[ProfileDocument]] = {}
    expired: dict[str, list[ProfileDocument]] = {}
    keys = {block_id_for(r.key) for r in requirements}
    fixed = [name for name in fixed_fields if name in {f.value for f in PROFILE_FIXED_FIELDS} and name not in keys]
    for requirement in requirements:
        key = requirement.key
        if requirement_type(requirement) == "DOCUMENT":
            documents = profile.documents.get(key) or []
            current = [doc for doc in documents if doc.is_valid_on(today)]
            if not requirement.multiple_values_supported:
                current = current[-1:]
            if current:
                reused[key] = current
                ids = [doc.document_id for doc in current]
                values[key] = ids if requirement.multiple_values_supported else ids[0]
            elif documents:
                expired[key] = documents
            continue
        value = profile.values.get(key)
        if not _is_blank(value):
            values[key] = value
    for name in fixed:
        value = profile.values.get(name)
        if not _is_blank(value):
            values[name] = value
    return ProfileFill(values=values, reused=reused, expired=expired, fields=len(requirements) + len(fixed))


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def kept_typing(typed: Mapping[str, Any], previous: Mapping[str, Any], filled: Iterable[str]) -> dict[str, Any]:
    """What the person typed into the form before picking a profile, for the fields the profile does
    not fill (`filled`), so that drawing the form again loses none of it. A value equal to what the
    form was drawn with (`previous`: another profile's) was not typed; attached files can't be
    carried over (Slack gives a file input no initial files)."""
    kept: dict[str, Any] = {}
    skip = set(filled)
    for key, value in typed.items():
        if key in skip or _is_blank(value) or any(isinstance(item, Mapping) for item in as_list(value)):
            continue
        if [str(v) for v in as_list(value)] == [str(v) for v in as_list(previous.get(key))]:
            continue
        kept[key] = value
    return kept


def fill_problems(
    requirements: Sequence[Requirement], values: Mapping[str, Any], country: str | None
) -> dict[str, str]:
    """`{field id: the rule's message}` for every prefilled value this form's rules refuse (a VAT
    number of another country's format, a website that is no address), so the person sees it
    before submitting rather than Infobip after."""
    problems: dict[str, str] = {}
    for requirement in requirements:
        raw = values.get(requirement.key)
        if _is_blank(raw) or requirement_type(requirement) == "DOCUMENT":
            continue
        try:
            check_requirement(requirement, raw, country)
        except Invalid as error:
            problems[block_id_for(requirement.key)] = str(error)
    emails = values.get(FixedField.ADDITIONAL_CONTACT_EMAILS.value)
    if not _is_blank(emails):
        try:
            check_contact_emails(emails)
        except Invalid as error:
            problems[FixedField.ADDITIONAL_CONTACT_EMAILS.value] = str(error)
    return problems


def fill_summary(profile_name: str, fill: ProfileFill, problems: int, whose: str = "this country's") -> str:
    """ "Filled 7 of 10 fields from profile Acme." and what is left to do (plain text); `whose`
    rules the problems break ("a country's" in a form of several)."""
    noun = "field" if fill.fields == 1 else "fields"
    parts = [f"Filled {fill.filled} of {fill.fields} {noun} from profile {profile_name}."]
    if problems:
        parts.append(
            f"1 value doesn't meet {whose} rules: fix it below."
            if problems == 1
            else f"{problems} values don't meet {whose} rules: fix them below."
        )
    if fill.expired:
        parts.append("An expired document was not reused: attach a current one.")
    if fill.filled < fill.fields:
        parts.append("What the profile lacks is left empty.")
    return " ".join(parts)


# ---- Saving what was sent ---------------------------------------------------------------------


def from_submission(
    requirements: Sequence[Mapping[str, Any]],
    fixed: Mapping[str, Any],
    files: Mapping[str, Sequence[str]],
    *,
    document_keys: Iterable[str],
    previous: Profile | None,
    uploaded_at: str,
    valid_until: str | None = None,
) -> tuple[dict[str, Any], dict[str, list[ProfileDocument]]]:
    """A profile's values and documents from what a request sent (`requirements` as `[{key, value}]`,
    documents as their documentIds; `files`: the names of the files uploaded for it, by key).
    Documents reused from `previous` keep their name, date and validity; new ones are named from
    `files`, dated `uploaded_at` and valid until `valid_until`."""
    doc_keys = set(document_keys)
    known = {doc.document_id: doc for items in (previous.documents if previous else {}).values() for doc in items}
    values: dict[str, Any] = {}
    documents: dict[str, list[ProfileDocument]] = {}
    for item in requirements:
        key, value = str(item["key"]), item.get("value")
        if key in doc_keys or (key in files):
            names = list(files.get(key) or [])
            docs = []
            for index, document_id in enumerate(str(v) for v in as_list(value)):
                if document_id in known:  # the same document: its name, date and validity stay
                    docs.append(known[document_id])
                    continue
                name = names[index] if index < len(names) else document_id
                docs.append(ProfileDocument(name, document_id, uploaded_at, valid_until))
            documents[key] = docs
        elif not _is_blank(value):
            values[key] = value
    for name in PROFILE_FIXED_FIELDS:
        value = fixed.get(name.value)
        if not _is_blank(value):
            values[name.value] = value
    return values, documents


# ---- The editor's text ----------------------------------------------------------------------


def values_to_lines(values: Mapping[str, Any]) -> str:
    """One `key: value` line per value; a list is one line per item under the same key. A line break
    in a value is written `\\n` (and read back as one)."""
    lines = []
    for key, value in values.items():
        for item in as_list(value):
            text = str(item).replace("\\", "\\\\").replace("\n", "\\n")
            lines.append(f"{key}: {text}")
    return "\n".join(lines)


def values_from_lines(text: str | None, *, multiple: Iterable[str] = ()) -> dict[str, Any]:
    """The values typed as `key: value` lines; a key given twice (or named in `multiple`) holds a
    list. Invalid names the first line that is not `key: value`."""
    lists = set(multiple)
    found: dict[str, list[str]] = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if not sep or not key or " " in key:
            raise Invalid(f"Line {number} is not “key: value” (e.g. companyName: Acme d.o.o.)")
        if value:
            found.setdefault(key, []).append(_unescaped(value))
    return {key: items if len(items) > 1 or key in lists else items[0] for key, items in found.items()}


def _unescaped(text: str) -> str:
    """`\\n` back to a line break, `\\\\` to a backslash (see `values_to_lines`)."""
    return re.sub(r"\\(\\|n)", lambda m: "\n" if m.group(1) == "n" else "\\", text)


def with_document_changes(
    documents: Mapping[str, Sequence[ProfileDocument]],
    *,
    removed: Iterable[str] = (),
    valid_until: Mapping[str, str | None] | None = None,
) -> dict[str, list[ProfileDocument]]:
    """The documents without the `removed` documentIds, each given its new `valid_until` (by documentId)."""
    gone = set(removed)
    dates = valid_until or {}
    changed: dict[str, list[ProfileDocument]] = {}
    for key, items in documents.items():
        kept = [
            replace(doc, valid_until=dates[doc.document_id]) if doc.document_id in dates else doc
            for doc in items
            if doc.document_id not in gone
        ]
        if kept:
            changed[key] = kept
    return changed
