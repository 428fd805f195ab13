"""The numbers the sandbox has for sale: countries, kinds of number, capabilities and prices.

Generated from a seed, so every run offers the same numbers. Each record carries the Numbers API
fields plus private ones (leading underscore: `_kind`, `_state`, `_npa`, `_nxx`) that the filters
and the resource-request lifecycle use and that are never sent.

`_kind` is the resource-request number type (VIRTUAL_LONG_NUMBER, TEN_DIGIT_LONG_CODE,
TOLL_FREE_NUMBER, SHORT_CODE); the Numbers API's own `type` enum has no toll-free or 10DLC value,
so those are sold as `VIRTUAL_LONG_NUMBER`, as Infobip lists them.
"""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass
from datetime import datetime

CURRENCY = "EUR"

COUNTRY_NAMES = {"US": "United States", "GB": "United Kingdom", "HR": "Croatia", "DE": "Germany", "SE": "Sweden"}

# US states and their area codes (NPA), for the state/npa/nxx filters.
US_AREA_CODES = {
    "NY": ("New York", (212, 646, 917)),
    "CA": ("California", (213, 415, 650)),
    "TX": ("Texas", (214, 512)),
    "FL": ("Florida", (305,)),
    "IL": ("Illinois", (312,)),
    "WA": ("Washington", (206,)),
    "NJ": ("New Jersey", (201,)),
    "IN": ("Indiana", (317,)),  # the contract's 10DLC example asks for IN / 317 / 909
}
US_TOLL_FREE_PREFIXES = (800, 833, 844, 855, 866, 877, 888)

# The kinds in stock that each resource-request number type may be served from: in the US (and
# Canada) the virtual long numbers are 10-digit long codes.
KIND_ALIASES = {
    "VIRTUAL_LONG_NUMBER": {"VIRTUAL_LONG_NUMBER", "TEN_DIGIT_LONG_CODE"},
    "TEN_DIGIT_LONG_CODE": {"TEN_DIGIT_LONG_CODE"},
    "TOLL_FREE_NUMBER": {"TOLL_FREE_NUMBER"},
    "SHORT_CODE": {"SHORT_CODE"},
}


@dataclass(frozen=True)
class Offer:
    """One line of stock: how many numbers of a kind a country has, and what they cost."""

    country: str
    kind: str
    count: int
    per_month: float
    setup: float
    capabilities: tuple[tuple[str, ...], ...]  # cycled through, so stock mixes capability sets
    shared: bool = False


OFFERS = (
    Offer("GB", "VIRTUAL_LONG_NUMBER", 12, 5.0, 0.0, (("SMS",), ("SMS", "VOICE"))),
    Offer("GB", "TOLL_FREE_NUMBER", 3, 15.0, 25.0, (("VOICE",),)),
    Offer("GB", "SHORT_CODE", 2, 150.0, 0.0, (("SMS",),), shared=True),
    Offer("HR", "VIRTUAL_LONG_NUMBER", 8, 10.0, 20.0, (("SMS",), ("SMS", "VOICE"))),
    Offer("DE", "VIRTUAL_LONG_NUMBER", 8, 8.0, 10.0, (("SMS", "VOICE"),)),
    Offer("SE", "VIRTUAL_LONG_NUMBER", 8, 9.0, 15.0, (("SMS", "VOICE"), ("SMS",))),
    Offer(
        "US", "TEN_DIGIT_LONG_CODE", 39, 1.5, 0.0, (("SMS", "MMS", "VOICE"), ("SMS", "MMS", "VOICE"), ("SMS", "VOICE"))
    ),
    Offer("US", "TOLL_FREE_NUMBER", 7, 2.5, 0.0, (("SMS", "VOICE"),)),
    Offer("US", "SHORT_CODE", 3, 1000.0, 1500.0, (("SMS", "MMS"),)),
)


def _digits(rng: random.Random, count: int) -> str:
    return "".join(str(rng.randrange(10)) for _ in range(count))


def _nxx(rng: random.Random) -> int:
    return rng.randrange(200, 1000)  # an exchange code never starts with 0 or 1


def _us_areas() -> list[tuple[str, int]]:
    return [(state, npa) for state, (_, npas) in US_AREA_CODES.items() for npa in npas]


def _number(offer: Offer, index: int, rng: random.Random) -> tuple[str, dict]:
    """A number for this offer, plus the private fields the US filters need."""
    if offer.country == "US":
        if offer.kind == "SHORT_CODE":
            return str(rng.randrange(20000, 99999)), {}
        if offer.kind == "TOLL_FREE_NUMBER":
            npa = US_TOLL_FREE_PREFIXES[index % len(US_TOLL_FREE_PREFIXES)]
            nxx = _nxx(rng)
            return f"1{npa}{nxx}{_digits(rng, 4)}", {"_npa": npa, "_nxx": nxx}
        areas = _us_areas()
        state, npa = areas[index % len(areas)]
        nxx = _nxx(rng)
        return f"1{npa}{nxx}{_digits(rng, 4)}", {"_state": state, "_npa": npa, "_nxx": nxx}
    patterns = {
        ("GB", "VIRTUAL_LONG_NUMBER"): lambda: "447700900" + _digits(rng, 3),  # Ofcom's range for drama
        ("GB", "TOLL_FREE_NUMBER"): lambda: "44800" + _digits(rng, 7),
        ("GB", "SHORT_CODE"): lambda: "6" + _digits(rng, 4),
        ("HR", "VIRTUAL_LONG_NUMBER"): lambda: "38591" + _digits(rng, 7),
        ("DE", "VIRTUAL_LONG_NUMBER"): lambda: "49157" + _digits(rng, 8),
        ("SE", "VIRTUAL_LONG_NUMBER"): lambda: "4676" + _digits(rng, 7),
    }
    return patterns[(offer.country, offer.kind)](), {}


def generate(seed: int) -> list[dict]:
    """The whole stock for a seed, in a stable order."""
    rng = random.Random(seed)
    seen: set[str] = set()
    stock = []
    for offer in OFFERS:
        made = 0
        while made < offer.count:
            number, extra = _number(offer, made, rng)
            if number in seen:
                continue
            seen.add(number)
            stock.append(
                {
                    "numberKey": f"{rng.getrandbits(128):032X}",
                    "number": number,
                    "country": offer.country,
                    "countryName": COUNTRY_NAMES[offer.country],
                    "type": "SHORT_CODE" if offer.kind == "SHORT_CODE" else "VIRTUAL_LONG_NUMBER",
                    "capabilities": list(offer.capabilities[made % len(offer.capabilities)]),
                    "shared": offer.shared,
                    "price": {"pricePerMonth": offer.per_month, "setupPrice": offer.setup, "currency": CURRENCY},
                    "_kind": offer.kind,
                    **extra,
                }
            )
            made += 1
    return stock


def initial_month_price(per_month: float, today: datetime) -> float:
    """What the rest of this month costs, today included (Infobip prorates the first month)."""
    days = calendar.monthrange(today.year, today.month)[1]
    return round(per_month * (days - today.day + 1) / days, 6)


def matches_state(record: dict, state: str) -> bool:
    code = record.get("_state")
    if code is None:
        return False
    return state.strip().upper() == code or state.strip().lower() == US_AREA_CODES[code][0].lower()


def matches_kind(record: dict, number_type: str) -> bool:
    return record["_kind"] in KIND_ALIASES.get(number_type, {number_type})


def public(record: dict) -> dict:
    """The record as the Numbers API shows it: private fields dropped, None values left out."""
    return {key: value for key, value in record.items() if not key.startswith("_") and value is not None}
