"""What a view remembers between interactions, kept in its `private_metadata`: one base for them all.

A modal (or the Home tab) carries at most 3,000 characters back to us with every click and
submission. `ViewMetadata.dump()` writes a model as compact JSON (short aliases, no nulls, no
defaults) and refuses clearly what would not fit; `load()` reads it back. What comes back went
through Slack: a view opened before an upgrade has the old shape, and anything can be forged by
whoever holds the signing secret. So `load` raises ValueError for what it can't read (answered by
bot/slack/listeners/errors.py), except for `lenient` metadata, which only says where a view is (a
page, a filter): that starts over from the defaults of whatever can't be read.

The concrete models live next to the views that use them.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.slack.mrkdwn import PRIVATE_METADATA_MAX


class PrivateMetadataTooLarge(ValueError):
    """The metadata does not fit Slack's 3,000-character private_metadata."""


class ViewMetadata(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)

    lenient: ClassVar[bool] = False  # True: what can't be read falls back to its default

    def dump(self) -> str:
        """Compact JSON for `private_metadata`; raises PrivateMetadataTooLarge over 3,000 characters."""
        raw = self.model_dump_json(by_alias=True, exclude_none=True, exclude_defaults=True)
        if len(raw) > PRIVATE_METADATA_MAX:
            raise PrivateMetadataTooLarge(
                f"{type(self).__name__} would be {len(raw)} characters of private_metadata, Slack allows "
                f"{PRIVATE_METADATA_MAX}: store the large state server-side and keep only its key here"
            )
        return raw

    @classmethod
    def load(cls, text: str | None) -> Self:
        """The metadata `dump` wrote; empty text is the defaults. Raises ValueError for anything
        else it can't read, unless the class is lenient."""
        data = _json_object(text, lenient=cls.lenient)
        try:
            return cls.model_validate(data)
        except ValidationError as error:
            if not cls.lenient:
                raise
            unreadable = {problem["loc"][0] for problem in error.errors() if problem["loc"]}
            return cls.model_validate({key: value for key, value in data.items() if key not in unreadable})


def _json_object(text: Any, *, lenient: bool) -> dict[str, Any]:
    if not text:
        return {}
    try:
        data = json.loads(text)
    except (TypeError, ValueError):
        if lenient:
            return {}
        raise ValueError(f"private_metadata is not JSON: {str(text)[:100]!r}") from None
    if isinstance(data, dict):
        return data
    if lenient:
        return {}
    raise ValueError(f"private_metadata is not a JSON object: {str(text)[:100]!r}")


class Origin(ViewMetadata):
    """Where a modal was opened: the channel its threads and notices go to (None: RESOURCEBOT_CHANNEL
    or the person's DM). The launcher and the CM.com country question keep only that."""

    channel_id: str | None = Field(None, alias="ch")
