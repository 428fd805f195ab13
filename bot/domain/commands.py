"""`/resource` text → what the person asked for. Pure: no Slack, no provider calls.

Arguments after the country may come in any order: each is recognised by its shape (a number
type, a capability list, a quantity), so `number US SMS 2` and `number US 2 SMS` both work.
"""

from __future__ import annotations

from dataclasses import dataclass

import pycountry

NUMBER_TYPES = ("VIRTUAL_LONG_NUMBER", "TEN_DIGIT_LONG_CODE", "TOLL_FREE_NUMBER", "SHORT_CODE")
NUMBER_TYPE_ALIASES = {"VLN": "VIRTUAL_LONG_NUMBER", "LONG": "VIRTUAL_LONG_NUMBER", "10DLC": "TEN_DIGIT_LONG_CODE",
                       "TOLL_FREE": "TOLL_FREE_NUMBER", "TOLLFREE": "TOLL_FREE_NUMBER", "TFN": "TOLL_FREE_NUMBER",
                       "SHORT": "SHORT_CODE"}
CAPABILITIES = ("SMS", "VOICE", "MMS")
TRAFFIC_ORIGINS = ("LOCAL", "INTERNATIONAL")
TRAFFIC_TYPES = ("PROMOTIONAL", "TRANSACTIONAL")
QUANTITY_RANGE = (1, 49)

USAGE = """*`/resource`* — request and follow telecom resources
• `/resource` — the launcher, with a button for everything below
• `/resource sender <country> [LOCAL|INTERNATIONAL] [PROMOTIONAL|TRANSACTIONAL]` — register an alphanumeric sender ID, e.g. `/resource sender HR`
• `/resource number <country> [type] [SMS,VOICE,MMS] [quantity]` — request numbers, e.g. `/resource number US TEN_DIGIT_LONG_CODE SMS 1`
   types: VIRTUAL_LONG_NUMBER (default), TEN_DIGIT_LONG_CODE (10DLC, default for US), TOLL_FREE_NUMBER, SHORT_CODE
• `/resource help` — this message"""


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
class NumberForm:
    country: str
    number_type: str
    capabilities: tuple[str, ...]
    quantity: int


Command = Launcher | Help | SenderForm | NumberForm


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
    if verb in ("number", "numbers-request"):
        return _number(args)
    raise CommandError(f"I don't know “{words[0]}”.")


def _sender(args: list[str]) -> SenderForm:
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
            raise CommandError(f"“{word}” is neither a traffic origin (LOCAL, INTERNATIONAL) "
                               "nor a traffic type (PROMOTIONAL, TRANSACTIONAL).")
    return SenderForm(parse_country(args[0]), origin, traffic_type)


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
        elif word.isdigit():
            quantity = int(word)
            low, high = QUANTITY_RANGE
            if not low <= quantity <= high:
                raise CommandError(f"Quantity must be between {low} and {high}.")
        else:
            raise CommandError(f"“{word}” is not a number type ({', '.join(NUMBER_TYPES)}), "
                               f"capabilities (e.g. SMS,VOICE) or a quantity.")
    if number_type is None:
        number_type = "TEN_DIGIT_LONG_CODE" if country == "US" else "VIRTUAL_LONG_NUMBER"
    return NumberForm(country, number_type, capabilities or ("SMS",), quantity or 1)
