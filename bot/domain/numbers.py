"""Numbers on offer and owned numbers: how they are written, priced, paged and filtered, and the
rules of a purchase.

Pure: no Slack, no provider calls. Text here is plain (nothing escaped): the rows and messages
in Slack's mrkdwn are bot/slack/numbers/text.py's, the modals' metadata bot/slack/numbers/metadata.py's.

Prices are shown exactly as Infobip gives them (a prorated first month may have six decimals):
the confirmation before a purchase must show what will be charged, not a rounded guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Self, TypeVar

import phonenumbers
import pycountry
from pydantic import BaseModel, ConfigDict, Field

from bot.domain.commands import CAPABILITIES, MyNumbers, NumbersSearch
from bot.domain.number_shapes import NumberLike, Price
from bot.domain.requirements import Requirement

SEARCH_PAGE_SIZE = 10  # one section per number: far under a modal's 100 blocks
OWNED_PAGE_SIZE = 10  # a section and a row of buttons per number
DIGITS_MAX = 15  # an E.164 number has at most 15 digits

# Infobip wants US numbers bought by `number`, every other country's by `numberKey`.
BUY_BY_NUMBER_COUNTRIES = frozenset({"US"})

_TYPE_LABELS = {
    "VIRTUAL_LONG_NUMBER": "Virtual long number",
    "TEN_DIGIT_LONG_CODE": "10DLC long code",
    "TOLL_FREE_NUMBER": "Toll-free number",
    "SHORT_CODE": "Short code",
}


# ---- numbers and countries -------------------------------------------------------------------


def country_name(code: str | None, given: str | None = None) -> str:
    """ "United Kingdom" for "GB"; the provider's own name when it gave one; the code otherwise."""
    if given:
        return given
    if not code:
        return "unknown country"
    country = pycountry.countries.get(alpha_2=code.upper())
    return getattr(country, "common_name", None) or getattr(country, "name", None) or code.upper()


def _parsed(number: str) -> phonenumbers.PhoneNumber | None:
    digits = "".join(ch for ch in number if ch.isdigit())
    if not digits:
        return None
    try:
        parsed = phonenumbers.parse("+" + digits)
    except phonenumbers.NumberParseException:
        return None
    return parsed if phonenumbers.is_possible_number(parsed) else None


def is_short_code(number_type: str | None, number: str | None = None) -> bool:
    return number_type == "SHORT_CODE" or bool(number and len(number) <= 6 and number.isdigit())


def _formatted(number: str | None, number_type: str | None, style: int) -> str:
    """The number in `style`; a short code as it is (it has no country prefix), "?" for none."""
    if not number:
        return "?"
    if is_short_code(number_type, number):
        return number
    parsed = _parsed(number)
    return number if parsed is None else phonenumbers.format_number(parsed, style)


def display_number(number: str | None, number_type: str | None = None) -> str:
    """ "447700900123" → "+44 7700 900123"."""
    return _formatted(number, number_type, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def international(number: str | None, number_type: str | None = None) -> str:
    """The audit target: E.164 ("+447700900123")."""
    return _formatted(number, number_type, phonenumbers.PhoneNumberFormat.E164)


def is_toll_free(number: str | None) -> bool:
    parsed = _parsed(number or "")
    return parsed is not None and phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.TOLL_FREE


def type_label(number_type: str | None, number: str | None = None) -> str:
    """ "Virtual long number", plus "(toll-free)" when the number is one (Infobip sells toll-free
    numbers as virtual long numbers)."""
    if not number_type:
        return "Number"
    label = _TYPE_LABELS.get(number_type) or number_type.replace("_", " ").capitalize()
    if number_type == "VIRTUAL_LONG_NUMBER" and is_toll_free(number):
        label += " (toll-free)"
    return label


def capabilities_text(capabilities: Iterable[Any] | None) -> str:
    values = [str(c) for c in capabilities or ()]
    return ", ".join(values) if values else "no capabilities listed"


def shared_text(shared: bool | None) -> str | None:
    if shared is None:
        return None
    return "shared" if shared else "dedicated"


# ---- prices ----------------------------------------------------------------------------------


def decimal_amount(value: Any) -> Decimal | None:
    """An amount from a provider's number (a float, an int, a string), exactly as written; None
    when there is none or it is not a finite number."""
    if value is None or isinstance(value, bool):
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() else None


def format_amount(value: Any) -> str:
    """At least two decimals, and every decimal Infobip gave: 5 → "5.00", 3.225806 → "3.225806"."""
    amount = decimal_amount(value)
    if amount is None:
        return "?"
    if amount == amount.quantize(Decimal("0.01")):
        return f"{amount:.2f}"
    return format(amount.normalize(), "f")


def money(value: Any, currency: str | None) -> str:
    return f"{format_amount(value)} {currency or ''}".rstrip()


def due_at_purchase(price: Price | None) -> Decimal | None:
    """Setup plus the (prorated) first month: what buying costs today; None when not known."""
    if price is None:
        return None
    setup = decimal_amount(price.setup_price)
    first_month = price.initial_month_price if price.initial_month_price is not None else price.price_per_month
    first = decimal_amount(first_month)
    if first is None:
        return None
    return (setup or Decimal(0)) + first


def charged_at_purchase(offered: Price | None, bought: Price | None) -> tuple[Decimal | None, str | None]:
    """What a purchase charged at once, and its currency: the setup fee (as the purchase answered
    it, else as offered) plus the first month as the confirmation showed it. Infobip's answer to a
    purchase, like every owned number, carries no first-month price: that is only on the offer."""
    setup = bought.setup_price if bought is not None and bought.setup_price is not None else None
    if setup is None and offered is not None:
        setup = offered.setup_price
    per_month = bought.price_per_month if bought is not None and bought.price_per_month is not None else None
    if per_month is None and offered is not None:
        per_month = offered.price_per_month
    first = offered.initial_month_price if offered is not None else None
    if first is None and bought is not None:
        first = bought.initial_month_price
    currency = (bought.currency if bought is not None else None) or (offered.currency if offered is not None else None)
    due = due_at_purchase(Price(price_per_month=per_month, setup_price=setup, initial_month_price=first))
    return due, currency


def price_details(price: Price | None) -> dict[str, Any] | None:
    """The price for the audit log (wire names, no nulls), unknown fields a provider kept included."""
    return price.model_dump(mode="json", by_alias=True, exclude_none=True) if price is not None else None


# ---- paging ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageWindow:
    """Page `page` (0-based) of `limit` items out of `total`."""

    page: int
    limit: int
    total: int

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.limit))

    @property
    def first(self) -> int:
        """1-based position of the first item shown (0 when nothing is)."""
        return min(self.page * self.limit + 1, self.total) if self.total else 0

    @property
    def last(self) -> int:
        return min((self.page + 1) * self.limit, self.total)

    @property
    def has_previous(self) -> bool:
        return self.page > 0

    @property
    def has_next(self) -> bool:
        return (self.page + 1) * self.limit < self.total

    def text(self, noun: str = "numbers") -> str:
        if not self.total:
            return f"No {noun}."
        if self.page_count == 1:
            return f"{self.total} {noun if self.total != 1 else noun.rstrip('s')}."
        return (
            f"{noun.capitalize()} {self.first}–{self.last} of {self.total} (page {self.page + 1} of {self.page_count})."
        )


def last_page(total: int, limit: int) -> int:
    """The last page that holds something (0 when there is nothing)."""
    return max(0, -(-total // limit) - 1)


# ---- digits typed by people ------------------------------------------------------------------


def digits_problem(value: str | None, what: str = "The digits fragment", *, exactly: int | None = None) -> str | None:
    """Why `value` can't be sent as a digits filter (ASCII 0-9 only, at most DIGITS_MAX, or
    exactly `exactly`), as a sentence quoting it; None when it can (or is not given)."""
    if value is None:
        return None
    shown = value[:20] + ("…" if len(value) > 20 else "")
    if exactly is not None:
        if len(value) != exactly or not (value.isascii() and value.isdigit()):
            return f"{what} “{shown}” must be {exactly} digits (0-9)."
        return None
    if not value or len(value) > DIGITS_MAX or not (value.isascii() and value.isdigit()):
        return f"{what} “{shown}” must be 1 to {DIGITS_MAX} digits (0-9), e.g. 385 or 317909."
    return None


# The digits filters of the numbers modals: (what they are called, how many digits exactly).
_DIGIT_FIELDS: dict[str, tuple[str, int | None]] = {
    "digits": ("The digits fragment", None),
    "npa": ("The area code (npa=)", 3),
    "nxx": ("The exchange code (nxx=)", 3),
}


def digit_field_problem(name: str, value: str | None) -> str | None:
    """`digits_problem` for the digits filter `name` ("digits", "npa" or "nxx")."""
    what, exactly = _DIGIT_FIELDS[name]
    return digits_problem(value, what, exactly=exactly)


def search_problem(command: NumbersSearch | MyNumbers) -> str | None:
    """Why a numbers-on-offer or my-numbers command can't be run as given, or None."""
    return next(
        (problem for name in _DIGIT_FIELDS if (problem := digit_field_problem(name, getattr(command, name, None)))),
        None,
    )


# ---- an offer, and a number as it was -----------------------------------------------------------


class Offer(BaseModel):
    """A number on offer as its Buy button carries it (short keys): enough to confirm and buy it."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)

    number_key: str = Field(alias="k")
    number: str = Field(alias="n")
    country: str = Field(alias="c")
    type: str | None = Field(None, alias="t")
    capabilities: tuple[str, ...] = Field((), alias="cap")
    shared: bool | None = Field(None, alias="sh")
    per_month: float | None = Field(None, alias="pm")
    setup: float | None = Field(None, alias="su")
    first_month: float | None = Field(None, alias="fm")
    currency: str | None = Field(None, alias="cur")

    def dump(self) -> str:
        """Compact JSON: what the Buy button's value holds."""
        return self.model_dump_json(by_alias=True, exclude_none=True, exclude_defaults=True)

    @classmethod
    def load(cls, raw: str | None) -> Self:
        """The offer `dump` wrote; raises ValueError (pydantic's) for anything else."""
        return cls.model_validate_json(raw or "{}")

    @classmethod
    def from_number(cls, number: NumberLike, country: str) -> Self | None:
        """None when Infobip left out what a purchase needs (the key and the number)."""
        if not number.number_key or not number.number:
            return None
        price = number.price or Price()
        return cls(
            number_key=number.number_key,
            number=number.number,
            country=(number.country or country).upper(),
            type=number.type,
            capabilities=tuple(str(c) for c in number.capabilities or ()),
            shared=number.shared,
            per_month=price.price_per_month,
            setup=price.setup_price,
            first_month=price.initial_month_price,
            currency=price.currency,
        )

    @property
    def price(self) -> Price | None:
        if self.per_month is None and self.setup is None and self.first_month is None:
            return None
        return Price(
            price_per_month=self.per_month,
            setup_price=self.setup,
            initial_month_price=self.first_month,
            currency=self.currency,
        )

    def purchase_fields(self) -> dict[str, str]:
        """{"number": …} for the US, {"numberKey": …} elsewhere: what Infobip requires."""
        if self.country.upper() in BUY_BY_NUMBER_COUNTRIES:
            return {"number": self.number}
        return {"number_key": self.number_key}

    @property
    def display(self) -> str:
        return display_number(self.number, self.type)


class OwnedNumber(BaseModel):
    """One of the account's numbers as it was when a change to it was asked for: the audit's
    "before", and what the notice of its cancellation shows (short keys: a modal carries it)."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)

    number_key: str = Field(alias="k")
    number: str | None = Field(None, alias="n")
    type: str | None = Field(None, alias="t")
    country: str | None = Field(None, alias="c")
    application_id: str | None = Field(None, alias="a")
    entity_id: str | None = Field(None, alias="e")
    per_month: float | None = Field(None, alias="pm")
    currency: str | None = Field(None, alias="cur")

    @classmethod
    def from_number(cls, number: NumberLike, number_key: str) -> Self:
        price = number.price or Price()
        return cls(
            number_key=number.number_key or number_key,
            number=number.number,
            type=number.type,
            country=number.country,
            application_id=number.application_id,
            entity_id=number.entity_id,
            per_month=price.price_per_month,
            currency=price.currency,
        )

    @property
    def price(self) -> Price | None:
        """Its monthly price, the only one an owned number keeps; None when Infobip gave none."""
        return Price(price_per_month=self.per_month, currency=self.currency) if self.per_month is not None else None

    @property
    def display(self) -> str:
        return display_number(self.number or self.number_key, self.type)

    @property
    def target(self) -> str:
        """The audit target: the number in international format (the key when it is unknown)."""
        return international(self.number, self.type) if self.number else self.number_key

    def platform(self) -> dict[str, str | None]:
        return {"applicationId": self.application_id, "entityId": self.entity_id}


# ---- requirements: buy directly or through a NUMBER_PURCHASE request --------------------------


def request_number_type(number_type: str | None, number: str | None, country: str) -> str:
    """The resource-request number type to look requirements up for a number on offer."""
    if number_type in ("SHORT_CODE", "TEN_DIGIT_LONG_CODE", "TOLL_FREE_NUMBER"):
        return number_type
    if is_short_code(number_type, number):
        return "SHORT_CODE"
    if is_toll_free(number):
        return "TOLL_FREE_NUMBER"
    if country.upper() == "US":
        return "TEN_DIGIT_LONG_CODE"  # Infobip does not sell US virtual long numbers by request
    return "VIRTUAL_LONG_NUMBER"


def request_capabilities(capabilities: Sequence[str]) -> list[str]:
    """The capabilities a NUMBER_PURCHASE lookup takes (SMS, VOICE, MMS), SMS when none fits."""
    chosen = [c for c in CAPABILITIES if c in {str(x).upper() for x in capabilities}]
    return chosen or ["SMS"]


AnyRequirement = TypeVar("AnyRequirement", bound=Requirement)  # the domain's, or a provider's that extends it


def blocking_requirements(requirements: Sequence[AnyRequirement]) -> list[AnyRequirement]:
    """The requirements a direct purchase would skip: the required ones. Optional ones (a US
    long code's preferred state or area code) do not stop a direct purchase of a chosen number."""
    return [r for r in requirements if r.required]
