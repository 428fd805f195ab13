"""What the account's numbers cost, what this month bought and cancelled, and which numbers nothing
uses. Pure: the owned numbers as Infobip lists them and the bot's own records come in, a typed
summary goes out; nothing here calls a provider, the store or Slack.

Money is `Decimal`, added up per currency only: amounts in different currencies are never added
together, they stay side by side. Shown with two decimals and their currency ("12.50 EUR").

A number is **unused** when nothing can reach it or route it: no resource association, no keyword
(neither on the number nor in an inbound configuration; the bot counts any inbound configuration,
with or without a keyword, as use), and it sits on application `default` with no entity. Cancelling
it saves its monthly cost and breaks nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from bot.domain.associations import DEFAULT_APPLICATION, INBOUND_CHANNELS_FOR_NUMBERS
from bot.domain.number_shapes import NumberLike
from bot.domain.numbers import country_name, decimal_amount, display_number, type_label

CENT = Decimal("0.01")
NO_APPLICATION = "no application"


def two_decimals(amount: Decimal) -> str:
    """ "12.50" for 12.5, "3.23" for 3.225806 (half up): what a report shows."""
    return str(amount.quantize(CENT, rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Amounts:
    """Sums per currency, sorted by currency; "" stands for an amount Infobip gave no currency for."""

    sums: tuple[tuple[str, Decimal], ...] = ()

    @classmethod
    def of(cls, items: Iterable[tuple[str | None, Decimal | None]]) -> Amounts:
        """The sums of (currency, amount) pairs, per currency; pairs without an amount are left out."""
        sums: dict[str, Decimal] = {}
        for currency, amount in items:
            if amount is None:
                continue
            key = (currency or "").strip()
            sums[key] = sums.get(key, Decimal(0)) + amount
        return cls(tuple(sorted(sums.items())))

    def __bool__(self) -> bool:
        return bool(self.sums)

    def get(self, currency: str) -> Decimal:
        return dict(self.sums).get(currency, Decimal(0))

    def text(self, empty: str = "0.00") -> str:
        """ "15.00 EUR · 3.00 USD" (plain text: the Slack layer escapes it); `empty` when there is nothing."""
        if not self.sums:
            return empty
        return " · ".join(f"{two_decimals(amount)} {currency}".rstrip() for currency, amount in self.sums)


def monthly_of(number: NumberLike) -> tuple[Decimal | None, str | None]:
    """A number's monthly cost and currency; (None, …) when Infobip gave no monthly price."""
    price = number.price
    if price is None:
        return None, None
    return decimal_amount(price.price_per_month), price.currency


# ---- the bot's own records: purchases, cancellations, numbers procured by request -------------


class ChangeKind(StrEnum):
    PURCHASE = "purchase"
    CANCELLATION = "cancellation"


@dataclass(frozen=True)
class NumberChange:
    """A purchase or a cancellation the bot made (its audit entry: made only once Infobip confirmed it)."""

    kind: ChangeKind
    at: datetime
    actor: str
    number: str  # as recorded: the number in E.164, or its key when the number was not known
    number_key: str | None
    monthly: Decimal | None  # its monthly cost: added by a purchase, stopped by a cancellation
    charged: Decimal | None  # a purchase: what it charged at once (setup + first month)
    currency: str | None

    @property
    def shown(self) -> str:
        return display_number(self.number) if self.number.lstrip("+").isdigit() else self.number


def change_from_audit(
    kind: ChangeKind, *, at: str, actor: str, target: str, details: Mapping[str, Any]
) -> NumberChange | None:
    """A purchase or cancellation from its audit entry (bot/usecases/buy_number.py and
    cancel_number.py write them); None when the entry's time can't be read.

    A purchase's entry says what it charged (`charged`, recorded since spend reports exist);
    for an older one it is worked out from the price recorded with it."""
    try:
        when = _utc(datetime.fromisoformat(at))
    except ValueError:
        return None
    recorded_price = details.get("price")
    price: Mapping[str, Any] = recorded_price if isinstance(recorded_price, Mapping) else {}
    monthly = decimal_amount(price.get("pricePerMonth"))
    currency = price.get("currency") if isinstance(price.get("currency"), str) else None
    charged = None
    if kind == ChangeKind.PURCHASE:
        recorded = details.get("charged")
        if isinstance(recorded, Mapping):
            charged = decimal_amount(recorded.get("amount"))
            currency = recorded.get("currency") if isinstance(recorded.get("currency"), str) else currency
        else:
            setup = decimal_amount(price.get("setupPrice"))
            first = decimal_amount(price.get("initialMonthPrice"))
            first = first if first is not None else monthly
            charged = None if first is None else (setup or Decimal(0)) + first
    key = details.get("numberKey")
    return NumberChange(
        kind=kind,
        at=when,
        actor=actor,
        number=target,
        number_key=key if isinstance(key, str) else None,
        monthly=monthly,
        charged=charged,
        currency=currency,
    )


@dataclass(frozen=True)
class Bought:
    """When a number became the account's, as far as the bot knows: its purchase, or the number
    request that procured it (`request_id`)."""

    at: datetime
    by: str | None  # a Slack user id
    request_id: str | None = None


def bought_dates(changes: Iterable[NumberChange], procured: Iterable[tuple[str, Bought]] = ()) -> dict[str, Bought]:
    """numberKey → when the account got it: the latest purchase or procurement, unless the bot
    cancelled the number after it (then whoever has it now got it some other way: unknown)."""
    latest: dict[str, Bought] = {}
    cancelled: dict[str, datetime] = {}
    events = [(c.number_key, Bought(c.at, c.actor)) for c in changes if c.kind == ChangeKind.PURCHASE]
    for key, bought in [*events, *procured]:
        if key and (key not in latest or bought.at > latest[key].at):
            latest[key] = bought
    for change in changes:
        if change.kind == ChangeKind.CANCELLATION and change.number_key:
            cancelled[change.number_key] = max(change.at, cancelled.get(change.number_key, change.at))
    return {key: bought for key, bought in latest.items() if not (key in cancelled and cancelled[key] >= bought.at)}


# ---- approvals ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingCost:
    """Spending that waits for someone's approval: what it would add each month, and at once."""

    what: str  # plain text, e.g. "+44 7700 900123" or "2 numbers in GB"
    monthly: Decimal | None
    once: Decimal | None = None
    currency: str | None = None


# ---- unused numbers ----------------------------------------------------------------------------


def idle_on_its_own(number: NumberLike) -> bool:
    """What the number itself says: on application `default` (or none), no entity, no keyword."""
    return (number.application_id or DEFAULT_APPLICATION) == DEFAULT_APPLICATION and not (
        number.entity_id or number.keywords
    )


def may_be_unused(number: NumberLike, associated: Collection[str]) -> bool:
    """Unused unless an inbound configuration says otherwise: the numbers whose inbound
    configurations have to be read before they can be called unused."""
    return bool(number.number_key) and number.number_key not in associated and idle_on_its_own(number)


def is_unused(number: NumberLike, *, associated: Collection[str], configured: Collection[str]) -> bool:
    """`associated`: numberKeys with any resource association; `configured`: numberKeys with any
    inbound configuration (read for every number `may_be_unused` lets through)."""
    return may_be_unused(number, associated) and number.number_key not in configured


@dataclass(frozen=True)
class UnusedNumber:
    number_key: str
    number: str | None
    type: str | None
    country: str | None
    country_label: str
    monthly: Decimal | None
    currency: str | None
    bought: Bought | None

    @property
    def shown(self) -> str:
        return display_number(self.number or self.number_key, self.type)

    @property
    def type_label(self) -> str:
        return type_label(self.type, self.number)


# ---- the summary -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CostLine:
    """One row of a breakdown: what the numbers of one country, type or application cost a month."""

    label: str  # plain text: escape it for mrkdwn
    count: int
    monthly: Amounts
    unpriced: int  # numbers Infobip gave no monthly price for


@dataclass(frozen=True)
class SpendSummary:
    month: date  # the first day of the month reported
    count: int  # owned numbers
    monthly: Amounts
    unpriced: int
    by_country: tuple[CostLine, ...]
    by_type: tuple[CostLine, ...]
    by_application: tuple[CostLine, ...]
    purchases: tuple[NumberChange, ...]  # this month's, oldest first
    cancellations: tuple[NumberChange, ...]
    pending: tuple[PendingCost, ...]
    unused: tuple[UnusedNumber, ...]  # the most expensive first

    @property
    def charged_this_month(self) -> Amounts:
        return Amounts.of((c.currency, c.charged) for c in self.purchases)

    @property
    def added_this_month(self) -> Amounts:
        return Amounts.of((c.currency, c.monthly) for c in self.purchases)

    @property
    def stopped_this_month(self) -> Amounts:
        return Amounts.of((c.currency, c.monthly) for c in self.cancellations)

    @property
    def pending_monthly(self) -> Amounts:
        return Amounts.of((p.currency, p.monthly) for p in self.pending)

    @property
    def pending_once(self) -> Amounts:
        return Amounts.of((p.currency, p.once) for p in self.pending)

    @property
    def unused_monthly(self) -> Amounts:
        return Amounts.of((u.currency, u.monthly) for u in self.unused)

    @property
    def month_name(self) -> str:
        return self.month.strftime("%B %Y")


def month_start(now: datetime) -> datetime:
    """The first instant of `now`'s month, in UTC: "this month" of the report."""
    now = _utc(now)
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _breakdown(numbers: Sequence[NumberLike], label_of: Callable[[NumberLike], str]) -> tuple[CostLine, ...]:
    groups: dict[str, list[NumberLike]] = {}
    for number in numbers:
        groups.setdefault(label_of(number), []).append(number)
    lines = []
    for label, members in groups.items():
        costs = [monthly_of(n) for n in members]
        lines.append(
            CostLine(
                label=label,
                count=len(members),
                monthly=Amounts.of((currency, amount) for amount, currency in costs),
                unpriced=sum(1 for amount, _ in costs if amount is None),
            )
        )
    return tuple(sorted(lines, key=lambda line: line.label.casefold()))


def summarize_spend(
    numbers: Sequence[NumberLike],
    *,
    associated: Collection[str],
    configured: Collection[str],
    changes: Sequence[NumberChange],
    pending: Sequence[PendingCost],
    now: datetime,
    procured: Iterable[tuple[str, Bought]] = (),
) -> SpendSummary:
    """The spend report.

    `numbers`: every owned number, as Infobip lists them now. `associated` and `configured`: see
    `is_unused`. `changes`: the bot's purchases and cancellations (any time: the older ones say when
    a number was bought); this month's are reported. `pending`: spending waiting for approval (the
    approvals feed it; an empty list when there is none). `procured`: (numberKey, when) of numbers
    that number requests brought in."""
    start = month_start(now)
    costs = [monthly_of(n) for n in numbers]
    bought = bought_dates(changes, procured)
    unused = []
    for number in numbers:
        if not is_unused(number, associated=associated, configured=configured):
            continue
        amount, currency = monthly_of(number)
        key = number.number_key or ""
        unused.append(
            UnusedNumber(
                number_key=key,
                number=number.number,
                type=number.type,
                country=number.country,
                country_label=country_name(number.country, number.country_name),
                monthly=amount,
                currency=currency,
                bought=bought.get(key),
            )
        )
    unused.sort(key=lambda u: (u.monthly is None, -(u.monthly or Decimal(0)), u.shown))
    this_month = sorted((c for c in changes if c.at >= start), key=lambda c: c.at)
    return SpendSummary(
        month=start.date(),
        count=len(numbers),
        monthly=Amounts.of((currency, amount) for amount, currency in costs),
        unpriced=sum(1 for amount, _ in costs if amount is None),
        by_country=_breakdown(numbers, lambda n: country_name(n.country, n.country_name)),
        by_type=_breakdown(numbers, lambda n: type_label(n.type, n.number)),
        by_application=_breakdown(numbers, lambda n: n.application_id or NO_APPLICATION),
        purchases=tuple(c for c in this_month if c.kind == ChangeKind.PURCHASE),
        cancellations=tuple(c for c in this_month if c.kind == ChangeKind.CANCELLATION),
        pending=tuple(pending),
        unused=tuple(unused),
    )


def in_use_reasons(number: NumberLike, *, associated: Collection[str], configured: Collection[str]) -> list[str]:
    """Why a number is not unused, in words (plain text); empty when it is unused."""
    key = number.number_key or ""
    reasons = []
    if key in associated:
        reasons.append("it has a resource association")
    if number.keywords:
        reasons.append("it has keywords")
    if key in configured:
        reasons.append("it has an inbound configuration")
    application = number.application_id or DEFAULT_APPLICATION
    if application != DEFAULT_APPLICATION:
        reasons.append(f'it is on application "{application}"')
    if number.entity_id:
        reasons.append(f'it is on entity "{number.entity_id}"')
    if not key:
        reasons.append("Infobip gave no key for it")
    return reasons


def inbound_channels(number: NumberLike) -> list[str]:
    """The channels whose inbound configurations a number may have (SMS, MMS, as its capabilities
    allow); both when Infobip did not say what it can do."""
    capabilities = {str(c) for c in number.capabilities or ()}
    return (
        [c for c in INBOUND_CHANNELS_FOR_NUMBERS if c in capabilities]
        if capabilities
        else list(INBOUND_CHANNELS_FOR_NUMBERS)
    )
