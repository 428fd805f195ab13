"""Pydantic models for CM.com voice number requests.

Attributes are snake_case; their wire names come from `wire.py` (many are assumed, see there).
Answers keep fields they do not know and take statuses and number types as open strings: a
guess that turns out slightly wrong must not make a whole answer unreadable. The create body is
strict instead: the bot should not send CM.com something it cannot stand behind.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from bot.providers.cm import wire
from bot.providers.cm.wire import PhoneNumberType


def _timestamp(value: Any) -> Any:
    """An ISO 8601 string becomes an aware datetime (UTC when it has no offset); any other
    string is kept as it is, since the format is assumed."""
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            return value
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


# A timestamp, or the raw string when CM.com writes one we cannot parse.
CmTimestamp = Annotated[datetime | str, BeforeValidator(_timestamp)]


class CmAnswer(BaseModel):
    """Base of what CM.com sends: unknown fields are kept (`model_extra`), not rejected."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


class CmNumberRequestCreate(BaseModel):
    """The body of "Create Number Request". Either `area_code` or `city` is required."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    company_profile_guid: UUID = Field(alias=wire.COMPANY_PROFILE_GUID)
    quantity: int = Field(alias=wire.QUANTITY, ge=1, le=1000)
    range_size: int | None = Field(None, alias=wire.RANGE_SIZE, gt=0)
    phone_number_type: PhoneNumberType = Field(alias=wire.PHONE_NUMBER_TYPE)
    area_code: str | None = Field(None, alias=wire.AREA_CODE)
    city: str | None = Field(None, alias=wire.CITY)
    region: str | None = Field(None, alias=wire.REGION)
    comment: str | None = Field(None, alias=wire.COMMENT)
    callback_url: str | None = Field(None, alias=wire.CALLBACK_URL, repr=False)  # holds a secret token

    @model_validator(mode="after")
    def _area_code_or_city(self) -> CmNumberRequestCreate:
        if not (self.area_code or "").strip() and not (self.city or "").strip():
            raise ValueError("an area code or a city is required")
        return self

    def to_wire(self) -> dict[str, Any]:
        """The JSON body CM.com expects: wire names, no null fields."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class CmNumberRequest(CmAnswer):
    """A number request as CM.com returns it and POSTs it to the callback URL.

    In the create answer `id`, `start`, `valid_from` and `valid_to` are null.
    """

    id: str | None = Field(None, alias=wire.ID)
    status: str | None = Field(None, alias=wire.STATUS)  # open set: see wire.Status
    start: str | None = Field(None, alias=wire.START)  # meaning unknown: kept raw
    valid_from: CmTimestamp | None = Field(None, alias=wire.VALID_FROM)
    valid_to: CmTimestamp | None = Field(None, alias=wire.VALID_TO)
    numbers: list[str] = Field(default_factory=list, alias=wire.NUMBERS)
    reason: str | None = Field(None, alias=wire.REASON)
    created: CmTimestamp | None = Field(None, alias=wire.CREATED)
    modified: CmTimestamp | None = Field(None, alias=wire.MODIFIED)
    # The create fields, echoed back; open strings here since they come from CM.com.
    company_profile_guid: str | None = Field(None, alias=wire.COMPANY_PROFILE_GUID)
    quantity: int | None = Field(None, alias=wire.QUANTITY)
    range_size: int | None = Field(None, alias=wire.RANGE_SIZE)
    phone_number_type: str | None = Field(None, alias=wire.PHONE_NUMBER_TYPE)
    area_code: str | None = Field(None, alias=wire.AREA_CODE)
    city: str | None = Field(None, alias=wire.CITY)
    region: str | None = Field(None, alias=wire.REGION)
    comment: str | None = Field(None, alias=wire.COMMENT)
    callback_url: str | None = Field(None, alias=wire.CALLBACK_URL, repr=False)  # holds a secret token

    @property
    def is_final(self) -> bool:
        """True once the request can no longer change (or be cancelled)."""
        return self.status in wire.FINAL_STATUSES


class OrderRestrictions(CmAnswer):
    """What an account may order: the quantity cap, the allowed range sizes and number types."""

    max_quantity: int = Field(alias=wire.MAX_QUANTITY)
    range_sizes: list[int] = Field(default_factory=list, alias=wire.RANGE_SIZES)
    phone_number_types: list[str] = Field(default_factory=list, alias=wire.PHONE_NUMBER_TYPES)


class LocaleOptions(CmAnswer):
    """The cities, regions and area codes one can order in a country (for a number type)."""

    cities: list[str] = Field(default_factory=list, alias=wire.CITIES)
    regions: list[str] = Field(default_factory=list, alias=wire.REGIONS)
    area_codes: list[str] = Field(default_factory=list, alias=wire.AREA_CODES)
