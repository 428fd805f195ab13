"""What the numbers rules read of a number and its price, whoever provides them.

`NumberLike` is a Protocol, so a provider's number (Infobip's `Number`) is read as it is, without
the domain importing it; `Price` is the domain's own price, as an offer keeps it, and Infobip's
`NumberPrice` extends it (its names are Infobip's). A requirement is the domain's `Requirement`
(`bot.domain.requirements`), which Infobip's extends likewise.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field


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
    def price(self) -> Price | None: ...
    @property
    def network(self) -> str | None: ...
    @property
    def keywords(self) -> list[str] | None: ...
    @property
    def application_id(self) -> str | None: ...
    @property
    def entity_id(self) -> str | None: ...
