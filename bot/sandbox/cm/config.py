"""How a CM.com stand-in behaves: credentials, order restrictions, stock, callback retries."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from bot.providers.cm.wire import PhoneNumberType


@dataclass
class StockEntry:
    """Numbers of one type at one place: what can be assigned at once, and how they look.

    A request matches when its type is the same and its area code, city and region (each when
    given) equal this entry's (an entry with no region serves any region). `available` numbers
    are handed out immediately; beyond that the request goes to review (and an accepted review
    still numbers from `prefix`).
    """

    country: str  # ISO 3166-1 alpha-2
    phone_number_type: str  # LOCAL / NATIONAL / TOLLFREE
    prefix: str  # E.164 start of every number here, e.g. "+3120"
    available: int = 0
    area_code: str | None = None
    city: str | None = None
    region: str | None = None  # NANPA only
    digits: int = 7  # digits after the prefix
    next_serial: int = 1000  # the next number handed out is prefix + serial, zero-padded

    def matches(self, phone_number_type: str, area_code: str | None, city: str | None, region: str | None) -> bool:
        return (
            self.phone_number_type == phone_number_type
            and self.matches_place(area_code, city)
            # An entry without a region (toll-free) serves every region.
            and (not region or self.region is None or self.region.casefold() == region.casefold())
        )

    def matches_place(self, area_code: str | None, city: str | None) -> bool:
        if area_code and self.area_code != area_code:
            return False
        if city and (self.city or "").casefold() != city.casefold():
            return False
        return bool(area_code or city)

    def take(self, quantity: int, range_size: int | None) -> list[str]:
        """The next `quantity` consecutive numbers; a range starts on a multiple of its size."""
        if range_size:
            self.next_serial = -(-self.next_serial // range_size) * range_size
        first = self.next_serial
        self.next_serial += quantity
        self.available = max(0, self.available - quantity)
        return [f"{self.prefix}{serial:0{self.digits}d}" for serial in range(first, first + quantity)]

    def describe(self) -> dict:
        return {
            "country": self.country,
            "phoneNumberType": self.phone_number_type,
            "prefix": self.prefix,
            "available": self.available,
            "areaCode": self.area_code,
            "city": self.city,
            "region": self.region,
        }


def default_stock() -> list[StockEntry]:
    """LOCAL numbers in stock in NL and the US, TOLLFREE too; NATIONAL always goes to review."""
    return [
        StockEntry("NL", "LOCAL", "+3120", 500, area_code="020", city="Amsterdam"),
        StockEntry("NL", "LOCAL", "+3110", 200, area_code="010", city="Rotterdam"),
        StockEntry("NL", "NATIONAL", "+3185", 0, area_code="085"),
        StockEntry("NL", "TOLLFREE", "+31800", 100, area_code="0800"),
        StockEntry("US", "LOCAL", "+1212", 300, area_code="212", city="New York", region="NY"),
        StockEntry("US", "LOCAL", "+1646", 300, area_code="646", city="New York", region="NY"),
        StockEntry("US", "LOCAL", "+1213", 100, area_code="213", city="Los Angeles", region="CA"),
        StockEntry("US", "TOLLFREE", "+1888", 100, area_code="888"),
    ]


@dataclass
class CmSandboxConfig:
    # Accepted in X-CM-PRODUCTTOKEN on every API and admin path.
    product_token: str = field(default_factory=lambda: str(uuid.uuid4()))
    # The one account GUID this stand-in serves; any other in the path is a 404.
    account_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    # The order restrictions.
    max_quantity: int = 1000
    range_sizes: list[int] = field(default_factory=lambda: [10, 100])
    phone_number_types: list[str] = field(default_factory=lambda: [t.value for t in PhoneNumberType])
    stock: list[StockEntry] = field(default_factory=default_stock)
    # Callbacks: first retry after `callback_backoff` seconds, doubling up to the cap; a callback
    # is given up after `callback_max_attempts` failed attempts.
    callback_backoff: float = 0.5
    callback_backoff_cap: float = 60.0
    callback_max_attempts: int = 12
    callback_timeout: float = 5.0
