"""Checks on what a client sends about resource requests. Pure: no I/O, no state.

Two layers, as at Infobip:
- structural checks answer at once with `400 E400` and `violations[{property, violation}]`
  (a malformed body, a bad enum, an unknown requirement key, a document never uploaded);
- automatic validation runs later, on a stored request, and turns each requirement value that
  breaks its rule into `requirementsFeedback[{key, code, feedback}]`.
Feedback texts reuse the wording of the contract's examples where it has one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import pycountry

Violation = tuple[str, str]

REQUEST_TYPES = ("ALPHANUMERIC_REGISTRATION", "NUMBER_PURCHASE", "RCS_SENDER_LAUNCH")
NUMBER_TYPES = ("SHORT_CODE", "VIRTUAL_LONG_NUMBER", "TEN_DIGIT_LONG_CODE", "TOLL_FREE_NUMBER")
CAPABILITIES = ("SMS", "VOICE", "MMS")
TRAFFIC_ORIGINS = ("LOCAL", "INTERNATIONAL")
TRAFFIC_TYPES = ("PROMOTIONAL", "TRANSACTIONAL")
CLIENT_TYPES = ("LOCAL", "INTERNATIONAL")
MAX_CONTACT_EMAILS = 3
PLATFORM_ID_MAX = 255

REQUIRED = "RES_REQ_FEED_REQUIRED"
FORMAT = "RES_REQ_FEED_FORMAT"
LENGTH_OOR = "RES_REQ_FEED_LENGTH_OOR"
VALUE_OOR = "RES_REQ_FEED_VALUE_OOR"

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
# A phone number in international format: country code first, 8 to 15 digits in all.
_GSM = re.compile(r"^\+?[1-9][0-9]{7,14}$")


@dataclass(frozen=True)
class Problem:
    """An Infobip error with its own code (not E400): status, errorCode, description, action."""

    status: int
    code: str
    description: str
    action: str


NXX_REQUIRES_NPA_STATE = Problem(
    400,
    "RR-NUMBER-PURCHASE-NXX-REQUIRES-NPA-STATE400",
    "Provided nxx requires a valid npa and state combination.",
    "Please provide a valid npa and state for the requested nxx.",
)
INVALID_STATE_NPA = Problem(
    400,
    "RR-NUMBER-PURCHASE-INVALID-STATE-NPA-COMBO400",
    "Invalid state and npa combination.",
    "Please provide a valid state and npa combination.",
)
INVALID_NPA_NXX = Problem(
    400,
    "RR-NUMBER-PURCHASE-INVALID-NPA-NXX-COMBO400",
    "Invalid npa and nxx combination.",
    "Please provide a valid npa and nxx combination.",
)

# Area codes (npa) of a few US states: enough to tell a wrong state/npa pair in the sandbox.
US_AREA_CODES = {
    "IN": ("317", "219", "260", "574", "765", "812", "930"),
    "NY": ("212", "646", "917", "718", "347", "516"),
    "CA": ("213", "415", "650", "310", "408", "619"),
    "TX": ("214", "512", "713", "210"),
    "FL": ("305", "407", "813"),
    "IL": ("312", "773", "847"),
    "WA": ("206", "425", "509"),
    "NJ": ("201", "973", "609"),
}
_STATE_OF_NPA = {npa: state for state, npas in US_AREA_CODES.items() for npa in npas}


# ---- structural checks ------------------------------------------------------------------------


def _one_of(values: Iterable[str]) -> str:
    return f"must be one of [{', '.join(values)}]"


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _country(body: dict, out: list[Violation]) -> None:
    code = body.get("countryCode")
    if code is None or (isinstance(code, str) and not code.strip()):
        out.append(("countryCode", "must not be blank"))
    elif (
        not isinstance(code, str)
        or not re.fullmatch(r"[A-Za-z]{2}", code)
        or pycountry.countries.get(alpha_2=code.upper()) is None
    ):
        out.append(("countryCode", "must be a two-letter ISO 3166-1 country code"))


def _enum(body: dict, name: str, allowed: tuple[str, ...], out: list[Violation], *, required: bool = False) -> None:
    value = body.get(name)
    if value is None:
        if required:
            out.append((name, "must not be null"))
    elif value not in allowed:
        out.append((name, _one_of(allowed)))


def _number_fields(body: dict, out: list[Violation]) -> None:
    quantity = body.get("quantity")
    if quantity is not None:
        if not _is_int(quantity):
            out.append(("quantity", "must be an integer"))
        elif quantity < 1:
            out.append(("quantity", "must be greater than or equal to 1"))
        elif quantity > 49:
            out.append(("quantity", "must be less than or equal to 49"))
    _enum(body, "numberType", NUMBER_TYPES, out, required=True)
    _enum(body, "clientType", CLIENT_TYPES, out)
    capabilities = body.get("capabilities")
    if capabilities is None:
        out.append(("capabilities", "must not be null"))
    elif not isinstance(capabilities, list) or not capabilities:
        out.append(("capabilities", "must not be empty"))
    else:
        for i, capability in enumerate(capabilities):
            if capability not in CAPABILITIES:
                out.append((f"capabilities[{i}]", _one_of(CAPABILITIES)))


def _carriers(body: dict, out: list[Violation]) -> None:
    carriers = body.get("excludedCarriers")
    if carriers is not None and (not isinstance(carriers, list) or not all(isinstance(c, str) for c in carriers)):
        out.append(("excludedCarriers", "must be a list of carrier names"))


def _type(body: object, out: list[Violation]) -> str | None:
    """The request type, or None (with a violation) when the body cannot be read by type."""
    if not isinstance(body, dict):
        out.append(("", "Request body must be a JSON object."))
        return None
    kind = body.get("type")
    if kind is None:
        out.append(("type", "must not be null"))
        return None
    if kind not in REQUEST_TYPES:
        out.append(("type", _one_of(REQUEST_TYPES)))
        return None
    return kind


def lookup_violations(body: object) -> list[Violation]:
    """Structural problems of a requirements-lookup body."""
    return _request_violations(body, submit=False)


def submit_violations(body: object) -> list[Violation]:
    """Structural problems of a submit body, before the catalog is consulted: those of a lookup
    body, and the sender name, contacts, platform and requirements a submit adds."""
    return _request_violations(body, submit=True)


# The sender name's size limits by request type (a number purchase has no sender name).
_SENDER_NAME_SIZE = {"ALPHANUMERIC_REGISTRATION": (3, 11), "RCS_SENDER_LAUNCH": (1, 255)}


def _request_violations(body: object, *, submit: bool) -> list[Violation]:
    out: list[Violation] = []
    kind = _type(body, out)
    if kind is None:
        return out
    assert isinstance(body, dict)
    _country(body, out)
    if submit and kind in _SENDER_NAME_SIZE:
        _sender_name(body, *_SENDER_NAME_SIZE[kind], out)
    if kind == "ALPHANUMERIC_REGISTRATION":
        _enum(body, "trafficOrigin", TRAFFIC_ORIGINS, out)
        _enum(body, "trafficType", TRAFFIC_TYPES, out)
    elif kind == "NUMBER_PURCHASE":
        _number_fields(body, out)
    else:
        _enum(body, "trafficOrigin", TRAFFIC_ORIGINS, out, required=True)
        _carriers(body, out)
    if submit:
        _contacts(body, out)
        _platform(body, out)
        _filled_shape(body.get("requirements"), out, required=kind != "NUMBER_PURCHASE")
    return out


def _filled_shape(requirements: object, out: list[Violation], *, required: bool) -> None:
    if requirements is None:
        if required:
            out.append(("requirements", "must not be null"))
        return
    if not isinstance(requirements, list):
        out.append(("requirements", "must be a list of {key, value}"))
        return
    for i, item in enumerate(requirements):
        if not isinstance(item, dict):
            out.append((f"requirements[{i}]", "must be an object with key and value"))
            continue
        key = item.get("key")
        if not isinstance(key, str) or not key.strip():
            out.append((f"requirements[{i}].key", "must not be blank"))
        if item.get("value") is None:
            out.append((f"requirements[{i}].value", "must not be null"))


def _sender_name(body: dict, low: int, high: int, out: list[Violation]) -> None:
    name = body.get("senderName")
    if name is None:
        out.append(("senderName", "must not be null"))
    elif not isinstance(name, str) or not low <= len(name) <= high:
        out.append(("senderName", f"size must be between {low} and {high}"))


def _optional(body: dict, name: str, kind: type, wrong: str, out: list[Violation]) -> object:
    """`body[name]` if it is a `kind`; None when absent, or (with the violation `wrong`) when not."""
    value = body.get(name)
    if value is not None and not isinstance(value, kind):
        out.append((name, wrong))
        return None
    return value


def _contacts(body: dict, out: list[Violation]) -> None:
    emails = _optional(body, "additionalContactEmails", list, "must be a list of email addresses", out)
    if not isinstance(emails, list):
        return
    if len(emails) > MAX_CONTACT_EMAILS:
        out.append(("additionalContactEmails", f"size must be between 0 and {MAX_CONTACT_EMAILS}"))
    for i, email in enumerate(emails):
        if not isinstance(email, str) or not _EMAIL.match(email):
            out.append((f"additionalContactEmails[{i}]", "must be a well-formed email address"))


def _platform(body: dict, out: list[Violation]) -> None:
    platform = _optional(body, "platform", dict, "must be an object", out)
    if not isinstance(platform, dict):
        return
    for name in ("applicationId", "entityId"):
        value = platform.get(name)
        if value is not None and (not isinstance(value, str) or len(value) > PLATFORM_ID_MAX):
            out.append((f"platform.{name}", f"size must be between 0 and {PLATFORM_ID_MAX}"))


def update_violations(body: object) -> list[Violation]:
    """Structural problems of an update body: `{"requirements": [...]}`, all of them."""
    if not isinstance(body, dict):
        return [("", "Request body must be a JSON object.")]
    out: list[Violation] = []
    _filled_shape(body.get("requirements"), out, required=True)
    return out


def _plain(value: object) -> bool:
    return isinstance(value, str) or _is_int(value)


def filled_violations(filled: list[dict], specs: list[dict], is_uploaded: Callable[[str], bool]) -> list[Violation]:
    """Problems of the `requirements` list against the requirement set: keys, shapes, documents."""
    by_key = {spec["key"]: spec for spec in specs}
    out: list[Violation] = []
    seen: set[str] = set()
    for i, item in enumerate(filled):
        key, value = item["key"], item["value"]
        spec = by_key.get(key)
        if spec is None:
            out.append((f"requirements[{i}].key", f"Unknown requirement key '{key}'."))
            continue
        if key in seen:
            out.append((f"requirements[{i}].key", f"Duplicate requirement key '{key}'."))
            continue
        seen.add(key)
        if isinstance(value, list):
            if not spec.get("multipleValuesSupported"):
                out.append((f"requirements[{i}].value", f"Requirement '{key}' does not support multiple values."))
                continue
            if not all(_plain(v) for v in value):
                out.append((f"requirements[{i}].value", "must be a string, an integer or a list of them"))
                continue
        elif not _plain(value):
            out.append((f"requirements[{i}].value", "must be a string, an integer or a list of them"))
            continue
        if spec["type"] == "DOCUMENT":
            for document_id in value if isinstance(value, list) else [value]:
                if not isinstance(document_id, str) or not is_uploaded(document_id):
                    out.append(
                        (
                            f"requirements[{i}].value",
                            f"Document '{document_id}' not found: upload it with POST /resources/1/documents.",
                        )
                    )
                    break
    return out


def ten_dlc_problem(filled: list[dict]) -> Problem | None:
    """The US 10DLC location rules: nxx needs npa and state, and the pairs must exist."""
    values = {item["key"]: item["value"] for item in filled if item["key"] in ("state", "npa", "nxx")}
    state, npa, nxx = (
        str(values[k]).strip().upper() if values.get(k) not in (None, "") else None for k in ("state", "npa", "nxx")
    )
    if nxx and not (npa and state):
        return NXX_REQUIRES_NPA_STATE
    if state and npa and _STATE_OF_NPA.get(npa, state) != state:
        return INVALID_STATE_NPA
    # N11 codes (211, 311, … 911) are service codes, never exchanges.
    if npa and nxx and re.fullmatch(r"[2-9]11", nxx):
        return INVALID_NPA_NXX
    return None


RCS_SHARED_BRAND_EMAIL = Problem(
    400,
    "RR-RCS-SENDER-INVALID-BRAND-CONTACT-EMAIL400",
    "Brand contact email must be an individual business email, not a shared or team address "
    "(e.g., info@, support@, team@).",
    "Provide a personal business email linked to the contact person's name and company domain.",
)
RCS_PHONE_CONFLICT = Problem(
    400,
    "RR-RCS-SENDER-PHONE-NUMBER-CONFLICT400",
    "Company phone number cannot be the same as the brand contact's mobile number.",
    "Provide a different company phone number that is distinct from the brand contact's personal mobile number.",
)
# Local parts of shared mailboxes, refused as the brand contact (*assumed*: the contract names
# info@, support@ and team@ as examples).
_SHARED_MAILBOXES = frozenset({"info", "support", "team", "contact", "sales", "office", "admin", "hello", "noreply"})


def _digits(value: object) -> str:
    return re.sub(r"\D", "", str(value))


def rcs_problem(filled: list[dict]) -> Problem | None:
    """The RCS launch rules on requirement values: an individual brand contact, whose mobile is
    not the company's number."""
    values = {item["key"]: item["value"] for item in filled}
    emails = values.get("contactPersonEmailAddresses")
    for email in emails if isinstance(emails, list) else [emails]:
        if isinstance(email, str) and email.partition("@")[0].lower() in _SHARED_MAILBOXES:
            return RCS_SHARED_BRAND_EMAIL
    mobile, company = values.get("contactPersonPhoneNumber"), values.get("companyPhoneNumber")
    if mobile and company and _digits(mobile) == _digits(company):
        return RCS_PHONE_CONFLICT
    return None


# ---- automatic validation ---------------------------------------------------------------------


def _empty(value: object) -> bool:
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list):
        return not value
    return value is None


def _range_text(low: int | None, high: int | None, what: str) -> str:
    if low is not None and high is not None:
        return f"{what} must be between {low} and {high}."
    if low is not None:
        return f"{what} must be at least {low}."
    return f"{what} must be at most {high}."


def _check_text(spec: dict, value: object) -> tuple[str, str] | None:
    if not isinstance(value, str):
        return FORMAT, "Value must be text."
    options = spec.get("options")
    if options and value not in options:
        if len(options) == 1:
            return VALUE_OOR, f"Value must be exactly: {options[0]}"
        return VALUE_OOR, f"Value must be one of: {', '.join(map(str, options))}."
    rules = spec.get("validation") or {}
    low, high = rules.get("minLength"), rules.get("maxLength")
    if (low is not None and len(value) < low) or (high is not None and len(value) > high):
        return LENGTH_OOR, _range_text(low, high, "Text length")
    pattern = rules.get("pattern")
    if pattern and not re.fullmatch(pattern, value):
        return FORMAT, "Value does not match the required format."
    return None


def _check_integer(spec: dict, value: object) -> tuple[str, str] | None:
    if not _is_int(value):
        return FORMAT, "Value must be a whole number."
    options = spec.get("options")
    if options and value not in options:
        return VALUE_OOR, f"Value must be one of: {', '.join(map(str, options))}."
    rules = spec.get("validation") or {}
    low, high = rules.get("minValue"), rules.get("maxValue")
    if (low is not None and value < low) or (high is not None and value > high):
        return VALUE_OOR, _range_text(low, high, "Value")
    return None


def _check_email(spec: dict, value: object) -> tuple[str, str] | None:
    if not isinstance(value, str) or not _EMAIL.match(value):
        return FORMAT, "Invalid email address format."
    return None


def _check_url(spec: dict, value: object) -> tuple[str, str] | None:
    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is None or parts.scheme not in ("http", "https") or "." not in parts.netloc or " " in value:
        return FORMAT, "Invalid URL format: use a full address such as https://www.example.com."
    return None


def _check_gsm(spec: dict, value: object) -> tuple[str, str] | None:
    text = re.sub(r"[\s()-]", "", value) if isinstance(value, str) else str(value)
    if not _GSM.match(text):
        return FORMAT, "Phone number must be in international format, for example +385911234567."
    return None


def _check_document(spec: dict, value: object) -> tuple[str, str] | None:
    return None  # existence is a structural check; content is for people to judge


_CHECKS = {
    "TEXT": _check_text,
    "INTEGER": _check_integer,
    "EMAIL": _check_email,
    "URL": _check_url,
    "GSM": _check_gsm,
    "DOCUMENT": _check_document,
}


def requirement_feedback(specs: list[dict], filled: list[dict]) -> list[dict]:
    """Automatic validation: one feedback item per requirement whose value breaks its rule."""
    values = {item["key"]: item["value"] for item in filled}
    feedback = []
    for spec in specs:
        value = values.get(spec["key"])
        if _empty(value):
            if spec.get("required"):
                feedback.append(
                    {"key": spec["key"], "code": REQUIRED, "feedback": "This field is required and cannot be empty."}
                )
            continue
        check = _CHECKS.get(spec["type"])
        for item in value if isinstance(value, list) else [value]:
            found = check(spec, item) if check else None
            if found:
                feedback.append({"key": spec["key"], "code": found[0], "feedback": found[1]})
                break
    return feedback
