"""`/resource` text → what the person asked for. Pure: no Slack, no provider calls.

Arguments after the country may come in any order: each is recognised by its shape (a number
type, a capability list, a quantity), so `number US SMS 2` and `number US 2 SMS` both work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pycountry

from bot.domain.associations import AssociationFilter

NUMBER_TYPES = ("VIRTUAL_LONG_NUMBER", "TEN_DIGIT_LONG_CODE", "TOLL_FREE_NUMBER", "SHORT_CODE")
NUMBER_TYPE_ALIASES = {
    "VLN": "VIRTUAL_LONG_NUMBER",
    "LONG": "VIRTUAL_LONG_NUMBER",
    "10DLC": "TEN_DIGIT_LONG_CODE",
    "TOLL_FREE": "TOLL_FREE_NUMBER",
    "TOLLFREE": "TOLL_FREE_NUMBER",
    "TFN": "TOLL_FREE_NUMBER",
    "SHORT": "SHORT_CODE",
}
CAPABILITIES = ("SMS", "VOICE", "MMS")
TRAFFIC_ORIGINS = ("LOCAL", "INTERNATIONAL")
TRAFFIC_TYPES = ("PROMOTIONAL", "TRANSACTIONAL")
MULTI_COUNTRIES_MAX = 10  # countries in one sender form: each is a lookup, a request and a thread
QUANTITY_RANGE = (1, 49)

USAGE = "\n".join(
    [
        "*`/resource`* — request and follow telecom resources",
        "• `/resource` — the launcher, with a button for everything below",
        "• `/resource sender <country>[,<country>…] [LOCAL|INTERNATIONAL] [PROMOTIONAL|TRANSACTIONAL]` —"
        " register an alphanumeric sender ID, e.g. `/resource sender HR`, or in several countries with one"
        " form: `/resource sender HR,RS,SI`",
        "• `/resource rcs <country> [LOCAL|INTERNATIONAL]` — launch an RCS sender in a country (LOCAL: the"
        " business is headquartered there, the default), e.g. `/resource rcs DE`",
        "• `/resource number <country> [type] [SMS,VOICE,MMS] [quantity]` — request numbers, e.g. `/resource"
        " number US TEN_DIGIT_LONG_CODE SMS 1`",
        "   types: VIRTUAL_LONG_NUMBER (default), TEN_DIGIT_LONG_CODE (10DLC, default for US),"
        " TOLL_FREE_NUMBER, SHORT_CODE",
        "• `/resource numbers <country> [SMS,VOICE,MMS] [digits] [state=XX] [npa=NNN] [nxx=NNN]` — numbers"
        " on offer with their prices, to buy",
        "• `/resource my-numbers [digits]` — the account's numbers: application/entity, inbound routing, cancel",
        "• `/resource associate` — associate a number, domain or sender with an application and entity",
        "• `/resource associations [type=…] [app=…] [entity=…] [channel=…] [resource=…]`"
        " — list and delete associations",
        "• `/resource cm-number [country]` — voice numbers from CM.com (when CM.com is set up)",
        "• `/resource spend` — what the account's numbers cost a month, this month's purchases and"
        " cancellations, and the unused numbers to cancel (admins and number managers)",
        "• `/resource approvals` — what waits for you: the purchases you may approve or deny, and yours"
        " waiting for a decision",
        "• `/resource profiles` — company profiles: requirement values and documents filled once, offered at"
        " the top of every request form",
        "• `/resource list [all] [pending|action|completed|rejected|canceled]` — my requests (all:"
        " everyone's, for admins)",
        "• `/resource status <id>` — one request in full",
        "• `/resource help` — this message",
    ]
)


class CommandError(ValueError):
    """The text could not be understood; the message says what to type instead."""


@dataclass(frozen=True)
class Launcher:
    pass


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class SenderForm:
    country: str
    traffic_origin: str | None = None
    traffic_type: str | None = None


@dataclass(frozen=True)
class MultiSenderForm:
    """One alphanumeric sender registration form for several countries (`sender HR,RS,SI`)."""

    countries: tuple[str, ...]
    traffic_origin: str | None = None
    traffic_type: str | None = None


@dataclass(frozen=True)
class RcsForm:
    """An RCS sender launch: Infobip's lookup needs the traffic origin, LOCAL unless typed."""

    country: str
    traffic_origin: str = "LOCAL"


@dataclass(frozen=True)
class NumberForm:
    country: str
    number_type: str
    capabilities: tuple[str, ...]
    quantity: int


@dataclass(frozen=True)
class NumbersSearch:
    """Numbers on offer in a country, to buy."""

    country: str
    capabilities: tuple[str, ...] = ()
    digits: str | None = None
    state: str | None = None  # US only, like npa and nxx
    npa: str | None = None
    nxx: str | None = None


@dataclass(frozen=True)
class MyNumbers:
    digits: str | None = None


@dataclass(frozen=True)
class Associate:
    pass


@dataclass(frozen=True)
class Associations(AssociationFilter):
    """The association list, by the filters typed (each None when not given)."""


@dataclass(frozen=True)
class CmNumber:
    """A CM.com voice number request; the form asks for the country when it isn't given."""

    country: str | None = None


@dataclass(frozen=True)
class Spend:
    """The account's monthly cost of numbers, this month's changes and the unused numbers."""


@dataclass(frozen=True)
class Approvals:
    """What waits for the person: the approvals they may decide, and their own waiting for one."""


@dataclass(frozen=True)
class Profiles:
    """The company profiles: list, create, edit, delete."""


@dataclass(frozen=True)
class ListRequests:
    """`group` is a StatusGroup name (e.g. ACTION_REQUIRED) or None for all; `everyone` is for admins."""

    group: str | None = None
    everyone: bool = False


@dataclass(frozen=True)
class ShowRequest:
    request_id: str


Command = (
    Launcher
    | Help
    | SenderForm
    | MultiSenderForm
    | RcsForm
    | NumberForm
    | NumbersSearch
    | MyNumbers
    | Associate
    | Associations
    | CmNumber
    | Spend
    | Approvals
    | Profiles
    | ListRequests
    | ShowRequest
)

# Words people use for the status groups of Infobip's web interface.
GROUP_WORDS = {
    "pending": "PENDING",
    "action": "ACTION_REQUIRED",
    "action-required": "ACTION_REQUIRED",
    "required": "ACTION_REQUIRED",
    "update": "ACTION_REQUIRED",
    "completed": "COMPLETED",
    "done": "COMPLETED",
    "rejected": "REJECTED",
    "canceled": "CANCELED",
    "cancelled": "CANCELED",
}

_ASSOCIATION_FILTERS = {
    "type": "resource_type",
    "app": "application_id",
    "application": "application_id",
    "entity": "entity_id",
    "channel": "channel",
    "resource": "resource_id",
}


def parse_country(text: str) -> str:
    """An ISO alpha-2 code from a code or a name ("HR", "hrv", "Croatia")."""
    try:
        country = pycountry.countries.lookup(text.strip())
    except LookupError:
        raise CommandError(f"I don't know the country “{text}”. Use its two-letter code, e.g. HR, GB or US.") from None
    return country.alpha_2


def parse_capabilities(text: str) -> tuple[str, ...] | None:
    """("SMS", "VOICE") from "sms,voice"; None when the text is not a capability list."""
    parts = [p for p in text.upper().replace("+", ",").split(",") if p]
    if parts and all(p in CAPABILITIES for p in parts):
        return tuple(dict.fromkeys(parts))
    return None


def parse_command(text: str) -> Command:
    words = text.split()
    if not words:
        return Launcher()
    verb, args = words[0].lower(), words[1:]
    if verb in ("help", "-h", "--help", "?"):
        return Help()
    if verb == "sender":
        return _sender(args)
    if verb == "rcs":
        return _rcs(args)
    if verb == "number":
        return _number(args)
    if verb == "numbers":
        return _numbers_search(args)
    if verb in ("my-numbers", "mynumbers"):
        return MyNumbers(_digits(args[0]) if args else None)
    if verb == "associate":
        return Associate()
    if verb == "associations":
        return _associations(args)
    if verb == "cm-number":
        return CmNumber(parse_country(args[0]) if args else None)
    if verb == "spend":
        if args:
            raise CommandError("`/resource spend` takes nothing after it.")
        return Spend()
    if verb == "approvals":
        if args:
            raise CommandError("`/resource approvals` takes nothing after it.")
        return Approvals()
    if verb in ("profiles", "profile"):
        if args:
            raise CommandError("`/resource profiles` takes nothing after it.")
        return Profiles()
    if verb == "list":
        return _list(args)
    if verb == "status":
        if len(args) != 1:
            raise CommandError("Which request? e.g. `/resource status R7K2Q9XM` (the id is on its thread).")
        return ShowRequest(args[0].strip("`").upper())
    raise CommandError(f"I don't know “{words[0]}”.")


def _sender(args: list[str]) -> SenderForm | MultiSenderForm:
    if not args:
        raise CommandError("Which country? e.g. `/resource sender HR`")
    origin = traffic_type = None
    for word in args[1:]:
        upper = word.upper()
        if upper in TRAFFIC_ORIGINS:
            origin = upper
        elif upper in TRAFFIC_TYPES:
            traffic_type = upper
        else:
            raise CommandError(
                f"“{word}” is neither a traffic origin (LOCAL, INTERNATIONAL) "
                "nor a traffic type (PROMOTIONAL, TRANSACTIONAL)."
            )
    return sender_form(parse_countries(args[0]), origin, traffic_type)


def parse_countries(text: str) -> tuple[str, ...]:
    """Countries separated by commas (codes or names), each once, in the order typed."""
    countries = tuple(dict.fromkeys(parse_country(code) for code in text.split(",") if code.strip()))
    if not countries:
        raise CommandError("Which country? e.g. `/resource sender HR` or `/resource sender HR,RS,SI`")
    if len(countries) > MULTI_COUNTRIES_MAX:
        raise CommandError(f"At most {MULTI_COUNTRIES_MAX} countries in one form.")
    return countries


def sender_form(
    countries: tuple[str, ...], origin: str | None = None, traffic_type: str | None = None
) -> SenderForm | MultiSenderForm:
    """The form of one country, or one form for several."""
    if len(countries) == 1:
        return SenderForm(countries[0], origin, traffic_type)
    return MultiSenderForm(countries, origin, traffic_type)


def _rcs(args: list[str]) -> RcsForm:
    if not args:
        raise CommandError("Which country? e.g. `/resource rcs DE` or `/resource rcs DE INTERNATIONAL`")
    country = parse_country(args[0])
    if len(args) > 2:
        raise CommandError(
            "`/resource rcs` takes a country and at most a traffic origin, e.g. `/resource rcs DE LOCAL`."
        )
    origin = args[1].upper() if len(args) == 2 else "LOCAL"
    if origin not in TRAFFIC_ORIGINS:
        raise CommandError(
            f"“{args[1]}” is not a traffic origin: use LOCAL (the business is headquartered in that country)"
            " or INTERNATIONAL (it is headquartered elsewhere)."
        )
    return RcsForm(country, origin)


def _number(args: list[str]) -> NumberForm:
    if not args:
        raise CommandError("Which country? e.g. `/resource number GB`")
    country = parse_country(args[0])
    number_type = None
    capabilities = None
    quantity = None
    for word in args[1:]:
        upper = word.upper()
        if upper in NUMBER_TYPES or upper in NUMBER_TYPE_ALIASES:
            number_type = NUMBER_TYPE_ALIASES.get(upper, upper)
        elif parse_capabilities(word):
            capabilities = parse_capabilities(word)
        elif re.fullmatch(r"[0-9]{1,3}", word):
            quantity = int(word)
            low, high = QUANTITY_RANGE
            if not low <= quantity <= high:
                raise CommandError(f"Quantity must be between {low} and {high}.")
        else:
            raise CommandError(
                f"“{word}” is not a number type ({', '.join(NUMBER_TYPES)}), "
                f"capabilities (e.g. SMS,VOICE) or a quantity."
            )
    if number_type is None:
        number_type = "TEN_DIGIT_LONG_CODE" if country == "US" else "VIRTUAL_LONG_NUMBER"
    return NumberForm(country, number_type, capabilities or ("SMS",), quantity or 1)


_DIGITS = re.compile(r"[0-9]{1,15}")


def _digits(text: str) -> str:
    digits = text.lstrip("+")
    if not _DIGITS.fullmatch(digits):
        raise CommandError(f"“{text[:20]}” is not a digits fragment; use 1 to 15 digits, e.g. 385 or 317909.")
    return digits


def _key_values(args: list[str]) -> tuple[dict[str, str], list[str]]:
    """`key=value` words, and the other words in order."""
    pairs, rest = {}, []
    for word in args:
        key, sep, value = word.partition("=")
        if sep and key and value:
            pairs[key.lower()] = value
        else:
            rest.append(word)
    return pairs, rest


def _numbers_search(args: list[str]) -> NumbersSearch:
    if not args:
        raise CommandError("Which country? e.g. `/resource numbers GB` or `/resource numbers US SMS state=IN`")
    country = parse_country(args[0])
    pairs, rest = _key_values(args[1:])
    unknown = sorted(set(pairs) - {"state", "npa", "nxx"})
    if unknown:
        raise CommandError(f"“{unknown[0]}=” is not a filter here; use state=, npa= or nxx= (US only).")
    if pairs and country != "US":
        raise CommandError("state=, npa= and nxx= only narrow US numbers.")
    capabilities: tuple[str, ...] = ()
    digits = None
    for word in rest:
        if parse_capabilities(word):
            capabilities = parse_capabilities(word) or ()
        else:
            digits = _digits(word)
    for part in ("npa", "nxx"):
        if part in pairs and not re.fullmatch(r"[0-9]{3}", pairs[part]):
            raise CommandError(f"{part}= takes three digits, e.g. {part}=317.")
    state = pairs.get("state", "").upper() or None
    if state and not (len(state) == 2 and state.isalpha()):
        raise CommandError("state= takes a two-letter US state code, e.g. state=IN.")
    return NumbersSearch(country, capabilities, digits, state, pairs.get("npa"), pairs.get("nxx"))


def _associations(args: list[str]) -> Associations:
    pairs, rest = _key_values(args)
    if rest:
        raise CommandError(f"“{rest[0]}” is not a filter; use type=, app=, entity=, channel= or resource=.")
    unknown = sorted(set(pairs) - set(_ASSOCIATION_FILTERS))
    if unknown:
        raise CommandError(f"“{unknown[0]}=” is not a filter; use type=, app=, entity=, channel= or resource=.")
    values = {_ASSOCIATION_FILTERS[key]: value for key, value in pairs.items()}
    for name in ("resource_type", "channel"):
        if values.get(name):
            values[name] = values[name].upper()
    return Associations(**values)


def _list(args: list[str]) -> ListRequests:
    everyone, group = False, None
    for word in (w.lower() for w in args):
        if word == "all":
            everyone = True
        elif word in GROUP_WORDS:
            group = GROUP_WORDS[word]
        else:
            raise CommandError(f"“{word}” is not a status group; use pending, action, completed, rejected or canceled.")
    return ListRequests(group, everyone)
