"""The one base for what views keep in private_metadata: compact, within Slack's 3,000 characters, and
read back strictly (a ValueError for what can't be read) or leniently (defaults for what can't)."""

from __future__ import annotations

import json
from typing import ClassVar

import pytest
from pydantic import Field

from bot.domain import forms
from bot.slack import mrkdwn
from bot.slack.view_metadata import Origin, PrivateMetadataTooLarge, ViewMetadata


class Strict(ViewMetadata):
    name: str = Field(alias="n")
    page: int = Field(0, alias="p", ge=0)
    note: str | None = Field(None, alias="x")


class Lenient(Strict):
    lenient: ClassVar[bool] = True

    name: str = Field("unnamed", alias="n")


def test_dump_is_compact_json_by_alias_without_nulls_or_defaults():
    assert Strict(name="a").dump() == '{"n":"a"}'
    assert json.loads(Strict(name="a", page=2, note="b").dump()) == {"n": "a", "p": 2, "x": "b"}
    assert Strict.load(Strict(name="a", page=2).dump()) == Strict(name="a", page=2)


def test_what_does_not_fit_slacks_3000_characters_is_refused_clearly():
    assert len(Strict(name="a" * 2980).dump()) <= mrkdwn.PRIVATE_METADATA_MAX
    with pytest.raises(PrivateMetadataTooLarge, match="Strict would be 3008 characters.*3000.*server-side"):
        Strict(name="a" * 3000).dump()
    assert issubclass(PrivateMetadataTooLarge, ValueError)  # answered as unreadable input, never a 500


def test_strict_metadata_raises_a_value_error_for_what_it_cannot_read():
    for text in ("not json", "[1, 2]", '"a string"', '{"n": 5}', '{"n": "a", "p": -1}', "", None, '{"p": 1}'):
        with pytest.raises(ValueError):
            Strict.load(text)
    assert Strict.load('{"n": "a", "older": true}') == Strict(name="a")  # unknown keys are ignored


def test_lenient_metadata_starts_over_from_the_defaults_of_what_it_cannot_read():
    assert Lenient.load(None) == Lenient() and Lenient.load("") == Lenient()
    assert Lenient.load("not json") == Lenient() and Lenient.load("[1]") == Lenient()
    assert Lenient.load('{"n": "kept", "p": "two", "x": ["no"]}') == Lenient(name="kept")
    assert Lenient.load('{"p": -3, "x": "kept"}') == Lenient(note="kept")


def test_metadata_is_frozen_and_copied_to_change():
    state = Strict(name="a")
    with pytest.raises(ValueError):
        state.page = 3
    assert state.model_copy(update={"page": 3}).page == 3 and state.page == 0


def test_origin_keeps_only_the_channel():
    assert Origin(channel_id="C1").dump() == '{"ch":"C1"}' and Origin().dump() == "{}"
    assert Origin.load('{"ch": "C1", "other": 1}').channel_id == "C1" and Origin.load(None).channel_id is None


def test_the_domains_form_limits_are_slacks():
    assert forms.FIELD_ID_MAX == mrkdwn.BLOCK_ID_MAX and forms.OPTION_VALUE_MAX == mrkdwn.OPTION_VALUE_MAX
