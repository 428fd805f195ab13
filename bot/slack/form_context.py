"""What a request form's modal remembers between open and submit (its `private_metadata`)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Self

from pydantic import Field

from bot.domain.commands import NumberForm, RcsForm, SenderForm
from bot.domain.forms import RequestKind
from bot.slack.view_metadata import ViewMetadata


class FormPages(ViewMetadata):
    """What every request form remembers, for one country or several: where it is in its pages,
    the key of its server-side draft, where it was opened, and the company profile it offers."""

    page: int = Field(0, alias="p")
    page_count: int = Field(1, alias="pc")
    state_key: str | None = Field(None, alias="s")
    channel_id: str | None = Field(None, alias="ch")
    profile_picker: bool = Field(False, alias="pp")  # the first page offers the company profiles
    profile: str | None = Field(None, alias="pf")  # the id of the profile it was filled from


class FormContext(FormPages):
    """The request a form is for, and where it is in its pages.

    Requirements and values never go here: they are stored server-side, under `state_key`.
    """

    kind: RequestKind = Field(alias="k")
    country: str = Field(alias="c")
    number_type: str | None = Field(None, alias="nt")
    capabilities: tuple[str, ...] = Field((), alias="cap")
    quantity: int | None = Field(None, alias="q")
    traffic_origin: str | None = Field(None, alias="to")
    traffic_type: str | None = Field(None, alias="tt")
    request_id: str | None = Field(None, alias="r")  # set when updating an existing request

    @classmethod
    def for_command(cls, command: SenderForm | RcsForm | NumberForm, channel_id: str | None) -> Self:
        """The form a `sender`, `rcs` or `number` command asks for: the command's fields, as typed."""
        kinds = {SenderForm: RequestKind.ALPHANUMERIC_REGISTRATION, RcsForm: RequestKind.RCS_SENDER_LAUNCH}
        kind = kinds.get(type(command), RequestKind.NUMBER_PURCHASE)
        return cls(kind=kind, channel_id=channel_id, **asdict(command))
