"""What the numbers rules read of a number, its price and a requirement, whoever provides them.

Protocols, so a provider's models (Infobip's `Number`, `NumberPrice`, `Requirement`) are read as
they are, without the domain importing them; `Price` is the domain's own price, as an offer keeps it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field


class PriceLike(Protocol):
    """What the rows read of a price (Infobip's `NumberPrice` and `Price` have these)."""

    @property
    def price_per_month(self) -> float | None: ...
    @property
    def setup_price(self) -> float | None: ...
    @property
    def initial_month_price(self) -> float | None: ...
    @property
    def currency(self) -> str | None: ...


class Price(BaseModel):
    """A number's price as an offer remembers it."""

    model_config = ConfigDict(populate_by_name=True, frozen=True)

    price_per_month: float | None = Field(None, alias="pricePerMonth")
    setup_price: float | None = Field(None, alias="setupPrice")
    initial_month_price: float | None = Field(None, alias="initialMonthPrice")
    currency: str | None = None


class NumberLike(Protocol):
    """What the rows and contexts read of a number on offer or owned (Infobip's `Number` has these)."""

    @property
    def number_key(self) -> str | None: ...
    @property
    def number(self) -> str | None: ...
    @property
    def country(self) -> str | None: ...
    @property
    def country_name(self) -> str | None: ...
    @property
    def type(self) -> str | None: ...
    @property
    def capabilities(self) -> Sequence[Any] | None: ...
    @property
    def shared(self) -> bool | None: ...
    @property
    def price(self) -> PriceLike | None: ...
    @property
    def network(self) -> str | None: ...
    @property
    def keywords(self) -> list[str] | None: ...
    @property
    def application_id(self) -> str | None: ...
    @property
    def entity_id(self) -> str | None: ...


class RequirementLike(Protocol):
    """What a purchase check reads of a requirement (the domain's and Infobip's have these)."""

    @property
    def key(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def required(self) -> bool: ...


AnyRequirement = TypeVar("AnyRequirement", bound=RequirementLike)
