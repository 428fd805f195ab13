"""Resource associations, applications/entities and inbound routing: the rules, without I/O.

Which channels a resource type can be associated on, how ids and keywords must look before
anything is sent to Infobip, and how `/resource associations` filters become a query. How an
association or a routing setting reads in Slack is bot/slack/provisioning/text.py's.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

# ---- Resource types and channels -------------------------------------------------------------

# The contract's association resource types, in the order people meet them, with their labels.
RESOURCE_TYPES: dict[str, str] = {
    "NUMBER": "Number",
    "DOMAIN": "Email domain",
    "ALPHA": "Alphanumeric sender",
    "RCS_RESOURCE": "RCS sender",
    "APPLE_RESOURCE": "Apple Messages for Business",
}
CHANNEL_LABELS: dict[str, str] = {
    "SMS": "SMS",
    "MMS": "MMS",
    "EMAIL": "Email",
    "WHATSAPP": "WhatsApp",
    "RCS": "RCS",
    "APPLE": "Apple Messages",
}
# Which channels each resource type serves (a domain only email, a sender only its channel).
CHANNELS_BY_TYPE: dict[str, tuple[str, ...]] = {
    "NUMBER": ("SMS", "MMS", "WHATSAPP"),
    "DOMAIN": ("EMAIL",),
    "ALPHA": ("SMS",),
    "RCS_RESOURCE": ("RCS",),
    "APPLE_RESOURCE": ("APPLE",),
}
# A number carries only the traffic its capabilities allow.
NUMBER_CAPABILITY_FOR_CHANNEL = {"SMS": "SMS", "MMS": "MMS"}
# The owned-resources search type that lists resources of an association type. Numbers come from
# the Numbers API (their numberKey is the resource id); domains are not in the search: typed.
OWNED_SEARCH_TYPE: dict[str, str] = {
    "ALPHA": "ALPHANUMERIC",
    "RCS_RESOURCE": "RCS_RESOURCE",
    "APPLE_RESOURCE": "APPLE_RESOURCE",
}
# What the resource id is, per type, in words.
RESOURCE_ID_MEANING: dict[str, str] = {
    "NUMBER": "the number's numberKey",
    "DOMAIN": "the domain name, e.g. mail.example.com",
    "ALPHA": "the sender name, e.g. ACME",
    "RCS_RESOURCE": "the RCS sender id",
    "APPLE_RESOURCE": "the Apple Messages for Business id",
}
INBOUND_CHANNELS_FOR_NUMBERS = ("SMS", "MMS")  # inbound configurations on a number

DEFAULT_APPLICATION = "default"
ID_MAX = 255
NAME_MAX = 255
KEYWORD_MAX = 50
PAGE_SIZE = 10


def channels_for(resource_type: str) -> tuple[str, ...]:
    return CHANNELS_BY_TYPE.get(resource_type, ())


def channel_problem(resource_type: str, channel: str | None) -> str | None:
    """Why `channel` can't carry this resource type, or None."""
    if not channel:
        return "Pick a channel."
    allowed = channels_for(resource_type)
    if channel not in allowed:
        kind = RESOURCE_TYPES.get(resource_type, resource_type)
        return f"{kind} resources serve {', '.join(CHANNEL_LABELS.get(c, c) for c in allowed)} only."
    return None


def number_channel_problem(channel: str, capabilities: list[str] | tuple[str, ...] | None) -> str | None:
    """Why an owned number with these capabilities can't be associated on `channel`, or None."""
    needed = NUMBER_CAPABILITY_FOR_CHANNEL.get(channel)
    if needed and capabilities is not None and needed not in capabilities:
        return f"This number has no {needed} capability ({', '.join(capabilities) or 'none'})."
    return None


# ---- Ids, names and keywords -------------------------------------------------------------------

# RFC 3986 "unreserved": the characters that never need URL encoding in a path segment.
_UNRESERVED = re.compile(r"[A-Za-z0-9._~-]")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")


def _describe_char(ch: str) -> str:
    if ch == " ":
        return "spaces"
    if ch.isspace() or unicodedata.category(ch).startswith("C"):
        return "control characters or line breaks"
    return f"“{ch}”"


def id_problem(value: str | None, what: str) -> str | None:
    """Why `value` can't be an application or entity id (a URL path segment at Infobip), or None."""
    if not value:
        return f"Enter the {what}."
    if len(value) > ID_MAX:
        return f"The {what} is {len(value)} characters long; at most {ID_MAX} are allowed."
    bad = list(dict.fromkeys(_describe_char(ch) for ch in value if not _UNRESERVED.fullmatch(ch)))
    if bad:
        return (
            f"The {what} can't contain {', '.join(bad[:4])}: use letters, digits, “-”, “_”, “.” or “~” "
            "(characters that need no URL encoding)."
        )
    return None


def name_problem(value: str | None, what: str) -> str | None:
    """Why `value` can't be an application or entity name (optional, free text), or None."""
    if value is None or value == "":
        return None
    if len(value) > NAME_MAX:
        return f"The {what} is {len(value)} characters long; at most {NAME_MAX} are allowed."
    if any(unicodedata.category(ch).startswith("C") for ch in value):
        return f"The {what} can't contain control characters or line breaks."
    return None


def resource_id_problem(resource_type: str, value: str | None) -> str | None:
    """Why `value` can't identify a resource of this type, or None."""
    if not value:
        return f"Pick or type {RESOURCE_ID_MEANING.get(resource_type, 'the resource')}."
    if len(value) > ID_MAX:
        return f"This is {len(value)} characters long; at most {ID_MAX} are allowed."
    if value != value.strip() or any(unicodedata.category(ch).startswith("C") for ch in value):
        return "Remove the leading or trailing spaces, control characters or line breaks."
    if resource_type == "DOMAIN" and not _DOMAIN.match(value):
        return "Type a domain name, e.g. mail.example.com (no https://, no @, no path)."
    if resource_type in ("NUMBER", "RCS_RESOURCE", "APPLE_RESOURCE"):
        return id_problem(value, "resource id")
    return None


def keyword_problem(value: str | None) -> str | None:
    """Why `value` can't be an inbound keyword, or None; empty is allowed (every message)."""
    if not value:
        return None
    if len(value) > KEYWORD_MAX:
        return f"A keyword is at most {KEYWORD_MAX} characters long; this one has {len(value)}."
    if any(ch.isspace() for ch in value):
        return "A keyword is one word: it is matched against the first word of the message."
    if any(unicodedata.category(ch).startswith("C") for ch in value):
        return "A keyword can't contain control characters."
    return None


def looks_like_phone_number(text: str) -> bool:
    return bool(re.fullmatch(r"\+?[0-9]{6,15}", text.strip()))


def phone_digits(text: str) -> str:
    """The ASCII digits of `text` (other scripts' digits and "²" are not a number's digits)."""
    return "".join(ch for ch in text if ch in "0123456789")


# ---- Filters: `/resource associations [type=…] [app=…] [entity=…] [channel=…] [resource=…]` -----


@dataclass(frozen=True)
class AssociationFilter:
    resource_type: str | None = None
    application_id: str | None = None
    entity_id: str | None = None
    channel: str | None = None
    resource_id: str | None = None

    def query(self) -> dict[str, str]:
        """Keyword arguments for `InfobipClient.list_associations` (only the ones set)."""
        return {name: value for name, value in asdict(self).items() if value}

    def describe(self) -> str:
        """The filters set, e.g. "type `NUMBER` · app `shop`"; "" when there are none. Not escaped."""
        labels = (
            ("resource_type", "type"),
            ("channel", "channel"),
            ("application_id", "app"),
            ("entity_id", "entity"),
            ("resource_id", "resource"),
        )
        return " · ".join(f"{label} `{getattr(self, name)}`" for name, label in labels if getattr(self, name))


ANY = "ANY"  # the filter select's "any type/channel" option
FILTER_BLOCKS = {
    "resource_type": "filterType",
    "channel": "filterChannel",
    "application_id": "filterApp",
    "entity_id": "filterEntity",
    "resource_id": "filterResource",
}


def filter_problems(candidate: AssociationFilter) -> dict[str, str]:
    """{filter field: message} for values that can't match anything at Infobip."""
    problems: dict[str, str] = {}
    if candidate.resource_type and candidate.resource_type not in RESOURCE_TYPES:
        problems["resource_type"] = f"type= takes one of {', '.join(RESOURCE_TYPES)}."
    if candidate.channel and candidate.channel not in CHANNEL_LABELS:
        problems["channel"] = f"channel= takes one of {', '.join(CHANNEL_LABELS)}."
    elif (
        candidate.channel
        and candidate.resource_type in RESOURCE_TYPES
        and candidate.channel not in channels_for(candidate.resource_type)
    ):
        problems["channel"] = channel_problem(candidate.resource_type, candidate.channel) or ""
    for name, what in (("application_id", "application id"), ("entity_id", "entity id")):
        value = getattr(candidate, name)
        if value and (problem := id_problem(value, what)):
            problems[name] = problem
    if candidate.resource_id and len(candidate.resource_id) > ID_MAX:
        problems["resource_id"] = f"resource= is at most {ID_MAX} characters long."
    return problems


def filter_from_values(values: Mapping[str, Any]) -> AssociationFilter:
    """The filter typed into the list modal's filter inputs (flattened view values)."""

    def clean(block: str, upper: bool = False) -> str | None:
        raw = values.get(block)
        text = raw.strip() if isinstance(raw, str) else ""
        text = text.upper() if upper else text
        return None if text in ("", ANY) else text

    return AssociationFilter(
        resource_type=clean(FILTER_BLOCKS["resource_type"], True),
        channel=clean(FILTER_BLOCKS["channel"], True),
        application_id=clean(FILTER_BLOCKS["application_id"]),
        entity_id=clean(FILTER_BLOCKS["entity_id"]),
        resource_id=clean(FILTER_BLOCKS["resource_id"]),
    )


# ---- One association -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AssociationKey:
    """The five fields that make an association; also the body of its DELETE."""

    resource_type: str
    channel: str
    application_id: str
    entity_id: str | None
    resource_id: str

    def encode(self) -> str:
        """A compact string for a button value (at most 2000 characters; ids are at most 255)."""
        return json.dumps(
            [self.resource_type, self.channel, self.application_id, self.entity_id, self.resource_id],
            separators=(",", ":"),
        )

    @classmethod
    def decode(cls, value: str) -> AssociationKey | None:
        try:
            fields = json.loads(value)
        except (TypeError, ValueError):
            return None
        if not (isinstance(fields, list) and len(fields) == 5):
            return None
        resource_type, channel, application_id, entity_id, resource_id = fields
        if not all(isinstance(f, str) and f for f in (resource_type, channel, application_id, resource_id)):
            return None
        if entity_id is not None and not isinstance(entity_id, str):
            return None
        return cls(*fields)

    def snapshot(self) -> dict[str, Any]:
        """For the audit log: the association as Infobip names its fields."""
        return {
            "resourceType": self.resource_type,
            "channel": self.channel,
            "applicationId": self.application_id,
            "entityId": self.entity_id,
            "resourceId": self.resource_id,
        }


def page_label(page: int, total_pages: int, total_results: int) -> str:
    if total_results == 0:
        return "No associations."
    noun = "association" if total_results == 1 else "associations"
    return f"{total_results} {noun} · page {page + 1} of {max(total_pages, 1)}"


# ---- Inbound configurations -------------------------------------------------------------------------


def platform_snapshot(application_id: str | None, entity_id: str | None) -> dict[str, str | None]:
    return {"applicationId": application_id, "entityId": entity_id}
