"""What the numbers modals remember in their `private_metadata`: the filters and page of a list,
and what a confirmation acts on. Never the results: those are read from Infobip again."""

from __future__ import annotations

from dataclasses import asdict
from typing import Self

from pydantic import Field, ValidationInfo, field_validator

from bot.domain.commands import NumbersSearch
from bot.domain.number_shapes import NumberLike
from bot.domain.numbers import OWNED_PAGE_SIZE, SEARCH_PAGE_SIZE, Offer, OwnedNumber, digit_field_problem
from bot.providers.infobip.models import AvailableNumbersQuery, OwnedNumbersQuery
from bot.slack.mrkdwn import escape
from bot.slack.view_metadata import ViewMetadata


def _checked_digits(value: str | None, info: ValidationInfo) -> str | None:
    """The digits filters Infobip can take, and only those, ever get into a state."""
    if problem := digit_field_problem(info.field_name or "", value):
        raise ValueError(problem)
    return value


class _Paged(ViewMetadata):
    """A list's page, and where the command was used (changes are announced there)."""

    page: int = Field(0, alias="p", ge=0)
    channel_id: str | None = Field(None, alias="ch")

    def at_page(self, page: int) -> Self:
        return self.model_copy(update={"page": max(0, page)})


class SearchState(_Paged):
    """The filters and page of a numbers-on-offer modal."""

    country: str = Field(alias="c")
    capabilities: tuple[str, ...] = Field((), alias="cap")
    digits: str | None = Field(None, alias="d")
    state: str | None = Field(None, alias="st")
    npa: str | None = Field(None, alias="npa")
    nxx: str | None = Field(None, alias="nxx")

    _digits_only = field_validator("digits", "npa", "nxx")(_checked_digits)

    @classmethod
    def from_command(cls, command: NumbersSearch, channel_id: str | None) -> Self:
        """The command's filters, as typed. Raises ValueError (pydantic's) for digits Infobip can't take:
        check `search_problem` first."""
        return cls(**asdict(command), channel_id=channel_id)

    def query(self, limit: int = SEARCH_PAGE_SIZE) -> AvailableNumbersQuery:
        """What InfobipClient.get_available_numbers is asked for this page."""
        return AvailableNumbersQuery(
            country=self.country,
            capabilities=list(self.capabilities) or None,
            number=self.digits,
            state=self.state,
            npa=int(self.npa) if self.npa else None,
            nxx=int(self.nxx) if self.nxx else None,
            page=self.page,
            limit=limit,
        )

    def filters_text(self) -> str:
        """ "SMS, VOICE · containing 900 · state IN" (mrkdwn-safe); empty without filters."""
        parts = []
        if self.capabilities:
            parts.append(", ".join(self.capabilities))
        if self.digits:
            parts.append(f"containing {escape(self.digits)}")
        for label, value in (("state", self.state), ("area code", self.npa), ("exchange", self.nxx)):
            if value:
                parts.append(f"{label} {escape(value)}")
        return " · ".join(parts)


class OwnedState(_Paged):
    """The filter and page of a my-numbers modal."""

    digits: str | None = Field(None, alias="d")

    _digits_only = field_validator("digits")(_checked_digits)

    def query(self, limit: int = OWNED_PAGE_SIZE) -> OwnedNumbersQuery:
        """What InfobipClient.list_owned_numbers is asked for this page."""
        return OwnedNumbersQuery(number=self.digits, page=self.page, limit=limit)


class BuyContext(ViewMetadata):
    """What a purchase confirmation remembers: the offer, and the search to refresh afterwards."""

    offer: Offer = Field(alias="o")
    search: SearchState | None = Field(None, alias="s")


class OwnedContext(OwnedNumber, ViewMetadata):
    """What a set-application or cancel confirmation remembers: the number as it was when the modal
    opened (the audit's "before"), and the my-numbers list to refresh afterwards."""

    owned: OwnedState | None = Field(None, alias="o")

    @classmethod
    def from_number(cls, number: NumberLike, number_key: str, owned: OwnedState | None = None) -> Self:
        return super().from_number(number, number_key).model_copy(update={"owned": owned})
