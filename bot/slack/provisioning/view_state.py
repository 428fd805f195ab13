"""What a provisioning modal remembers between interactions (its `private_metadata`)."""

from __future__ import annotations

from typing import Any, ClassVar, Self

from pydantic import Field, field_validator

from bot.domain.associations import AssociationFilter
from bot.slack.view_metadata import ViewMetadata


class ViewState(ViewMetadata):
    """Where a provisioning modal is (its list's filters and page, the thing it shows) and what a
    change made in it needs to know. Lenient: what can't be read starts over from its default."""

    lenient: ClassVar[bool] = True

    channel_id: str | None = Field(None, alias="ch")  # where the command was used: changes are posted there
    filters: AssociationFilter = Field(default_factory=AssociationFilter, alias="f")
    page: int = Field(0, alias="p", ge=0)
    resource_type: str = Field("NUMBER", alias="t")  # the associate form's chosen type
    kind: str = Field("application", alias="k")  # applications or entities list
    target: str | None = Field(None, alias="id")  # an application/entity id, or a numberKey
    configuration_key: str | None = Field(None, alias="c")  # an inbound configuration
    channel: str | None = Field(None, alias="cn")  # its channel
    parent_view_id: str | None = Field(None, alias="pv")  # the view to refresh after a pushed view's change
    extra: dict[str, Any] = Field(default_factory=dict, alias="x")  # what a form showed, for the audit's "before"

    @field_validator("channel_id", "target", "configuration_key", "channel", "parent_view_id", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        return value or None  # an empty id is no id

    def but(self, **changes: Any) -> Self:
        return self.model_copy(update=changes)
