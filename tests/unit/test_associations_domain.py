"""The association rules without Slack or Infobip: channels per type, id/keyword checks, filters,
row text, view state; and the "➕ New application/entity…" picker helpers."""

from __future__ import annotations

import json

import pytest

from bot.domain.associations import (
    CHANNELS_BY_TYPE,
    RESOURCE_TYPES,
    AssociationFilter,
    AssociationKey,
    channel_problem,
    filter_from_values,
    filter_problems,
    id_problem,
    keyword_problem,
    looks_like_phone_number,
    name_problem,
    number_channel_problem,
    page_label,
    phone_digits,
    resource_id_problem,
)
from bot.providers.infobip.models import Application, AssociationResourceType, Entity, ResourceAssociationRequest
from bot.slack.platform_pickers import (
    NEW_OPTION,
    application_block,
    chosen_platform,
    entity_block,
    read_platform_choice,
    reshape_for_new,
    with_new_inputs,
)
from bot.slack.provisioning.text import association_line, keyword_label, platform_change_text, route_text
from bot.slack.provisioning.view_state import ViewState


def test_every_contract_resource_type_has_a_label_and_channels():
    assert list(RESOURCE_TYPES) == [t.value for t in AssociationResourceType]
    assert CHANNELS_BY_TYPE["DOMAIN"] == ("EMAIL",) and CHANNELS_BY_TYPE["ALPHA"] == ("SMS",)
    assert "EMAIL" not in CHANNELS_BY_TYPE["NUMBER"]


@pytest.mark.parametrize(
    "resource_type,channel,ok",
    [
        ("NUMBER", "SMS", True),
        ("NUMBER", "MMS", True),
        ("NUMBER", "EMAIL", False),
        ("DOMAIN", "EMAIL", True),
        ("DOMAIN", "SMS", False),
        ("ALPHA", "SMS", True),
        ("ALPHA", "WHATSAPP", False),
        ("RCS_RESOURCE", "RCS", True),
        ("APPLE_RESOURCE", "APPLE", True),
        ("APPLE_RESOURCE", None, False),
    ],
)
def test_channels_valid_per_type(resource_type, channel, ok):
    assert (channel_problem(resource_type, channel) is None) is ok


def test_a_number_needs_the_capability_of_the_channel():
    assert number_channel_problem("MMS", ["SMS", "VOICE"]) == "This number has no MMS capability (SMS, VOICE)."
    assert number_channel_problem("SMS", ["SMS"]) is None
    assert number_channel_problem("WHATSAPP", ["SMS"]) is None  # not a number capability Infobip checks


@pytest.mark.parametrize(
    "value,fragment",
    [
        ("", "Enter the application id"),
        ("a" * 256, "256 characters long; at most 255"),
        ("shop eu", "spaces"),
        ("shop/eu", "“/”"),
        ("a%20b", "“%”"),
        ("é", "“é”"),
        ("line\nbreak", "control"),
    ],
)
def test_ids_that_need_url_encoding_or_are_too_long_are_refused(value, fragment):
    assert fragment in id_problem(value, "application id")


@pytest.mark.parametrize("value", ["shop", "marketing-eu", "A.b_c~1", "a" * 255])
def test_ids_made_of_unreserved_characters_are_taken(value):
    assert id_problem(value, "application id") is None


def test_names_and_resource_ids():
    assert name_problem(None, "name") is None and name_problem("Shop & Co <b>", "name") is None
    assert "at most 255" in name_problem("n" * 256, "application name")
    assert resource_id_problem("DOMAIN", "mail.example.com") is None
    assert "domain name" in resource_id_problem("DOMAIN", "https://mail.example.com")
    assert "domain name" in resource_id_problem("DOMAIN", "ops@example.com")
    assert resource_id_problem("ALPHA", "ACME Ltd") is None  # a sender name may have a space
    assert "spaces" in resource_id_problem("ALPHA", " ACME")
    assert "Pick or type the sender name" in resource_id_problem("ALPHA", "")
    assert "“/”" in resource_id_problem("NUMBER", "ab/cd")


def test_keywords_are_one_word_of_at_most_50_characters_and_empty_means_every_message():
    assert keyword_problem(None) is None and keyword_problem("") is None and keyword_problem("STOP") is None
    assert "one word" in keyword_problem("STOP NOW")
    assert "at most 50" in keyword_problem("K" * 51)
    assert keyword_label(None) == "_every message without a matching keyword_"
    assert keyword_label("<STOP>") == "keyword `&lt;STOP&gt;`"


def test_phone_numbers_are_told_from_keys():
    assert looks_like_phone_number("+447700900123") and looks_like_phone_number("447700900123")
    assert not looks_like_phone_number("D1956FC88570E87FD92752802DD36F1A") and not looks_like_phone_number("12")
    # Only ASCII digits are a number's digits: not other scripts' digits, not "²".
    assert not looks_like_phone_number("٤٤٧٧٠٠٩٠٠١٢٣") and phone_digits("+44 ²7700-900") == "447700900"


def test_filters_become_a_query_and_say_what_cannot_match():
    wanted = AssociationFilter(resource_type="NUMBER", application_id="shop", channel="SMS")
    assert wanted.query() == {"resource_type": "NUMBER", "application_id": "shop", "channel": "SMS"}
    assert AssociationFilter().query() == {}
    assert wanted.describe() == "type `NUMBER` · channel `SMS` · app `shop`"
    problems = filter_problems(AssociationFilter(resource_type="FAX", channel="PIGEON", entity_id="a b"))
    assert set(problems) == {"resource_type", "channel", "entity_id"}
    assert "Email only" in filter_problems(AssociationFilter(resource_type="DOMAIN", channel="SMS"))["channel"]
    typed = filter_from_values(
        {
            "filterType": "ANY",
            "filterChannel": "email",
            "filterApp": " shop ",
            "filterEntity": "",
            "filterResource": None,
        }
    )
    assert typed == AssociationFilter(channel="EMAIL", application_id="shop")


def test_an_association_key_travels_in_a_button_and_back():
    key = AssociationKey("ALPHA", "SMS", "shop", None, "ACME")
    assert AssociationKey.decode(key.encode()) == key
    assert len(AssociationKey("NUMBER", "SMS", "a" * 255, "e" * 255, "r" * 255).encode()) < 2000
    for broken in ("", "nope", "[1,2]", json.dumps(["A", "SMS", "", None, "x"]), json.dumps(["A", "S", "a", 5, "r"])):
        assert AssociationKey.decode(broken) is None
    assert key.snapshot() == {
        "resourceType": "ALPHA",
        "channel": "SMS",
        "applicationId": "shop",
        "entityId": None,
        "resourceId": "ACME",
    }


def test_rows_escape_what_providers_and_people_typed():
    line = association_line(AssociationKey("ALPHA", "SMS", "<!channel>", None, "A&B"))
    assert "&lt;!channel&gt;" in line and "A&amp;B" in line and "no entity" in line and "<!channel>" not in line
    number = association_line(AssociationKey("NUMBER", "SMS", "shop", "acme", "KEY1"), number="447700900123")
    assert "+447700900123 (`KEY1`)" in number and "entity `acme`" in number
    assert page_label(0, 0, 0) == "No associations." and page_label(1, 2, 14) == "14 associations · page 2 of 2"
    assert route_text(None, None).endswith("the number level applies")
    assert (
        platform_change_text(("default", None), ("shop", "acme"))
        == "application `default` → `shop`, entity none → `acme`"
    )
    assert platform_change_text(("a", "e"), ("a", "e")) == "no change"


def test_view_state_fits_private_metadata_and_survives_foreign_metadata():
    state = ViewState(
        channel_id="C1",
        filters=AssociationFilter(application_id="a" * 255, entity_id="e" * 255, resource_id="r" * 255),
        page=3,
        target="t" * 255,
        parent_view_id="V1",
        extra={"name": "n" * 255},
    )
    assert len(state.dump()) <= 3000 and ViewState.load(state.dump()) == state
    assert ViewState.load('{"ch": "C9", "p": "two", "f": [1]}') == ViewState(channel_id="C9")
    assert ViewState.load("not json") == ViewState() and ViewState.load(None) == ViewState()


def test_an_association_without_entity_says_null_on_the_wire():
    body = ResourceAssociationRequest(
        resource_type="DOMAIN",
        channel="EMAIL",
        application_id="default",
        entity_id=None,
        resource_id="mail.example.com",
    ).to_wire()
    assert body == {
        "resourceType": "DOMAIN",
        "channel": "EMAIL",
        "applicationId": "default",
        "entityId": None,
        "resourceId": "mail.example.com",
    }


# ---- The pickers' "➕ New…" option -------------------------------------------------------------------


def test_pickers_offer_new_only_when_asked_and_keep_their_old_shape():
    applications = [Application(application_id="default"), Application(application_id="shop", application_name="Shop")]
    plain = application_block(applications)
    assert plain["element"]["action_id"] == "value" and "dispatch_action" not in plain
    assert plain["element"]["initial_option"]["value"] == "default"
    offering = application_block(applications, allow_new=True, none_label="None")
    values = [o["value"] for o in offering["element"]["options"]]
    assert values == ["__none__", "default", "shop", NEW_OPTION] and offering["dispatch_action"] is True
    assert offering["element"]["initial_option"]["value"] == "__none__"
    many = application_block([Application(application_id=f"a{i}") for i in range(100)], allow_new=True)
    assert many["element"]["type"] == "plain_text_input"
    entities = entity_block([Entity(entity_id="acme")], allow_new=True)
    assert [o["value"] for o in entities["element"]["options"]] == ["__none__", "acme", NEW_OPTION]
    assert chosen_platform({"applicationId": "__none__", "entityId": "__none__"}) == (None, None)


def test_choosing_new_shows_the_inputs_under_the_select_and_choosing_again_hides_them():
    blocks = [{"block_id": "intro"}, {"block_id": "applicationId"}, {"block_id": "entityId"}]
    shown = with_new_inputs(blocks, "applicationId", NEW_OPTION)
    assert [b["block_id"] for b in shown] == [
        "intro",
        "applicationId",
        "applicationNewId",
        "applicationNewName",
        "entityId",
    ]
    assert [b["block_id"] for b in with_new_inputs(shown, "applicationId", "shop")] == [
        "intro",
        "applicationId",
        "entityId",
    ]
    view = {
        "id": "V1",
        "hash": "h",
        "type": "modal",
        "title": {"type": "plain_text", "text": "T"},
        "blocks": blocks,
        "private_metadata": "{}",
        "callback_id": "cb",
        "state": {"values": {}},
    }
    spec = reshape_for_new(view, "entityId", NEW_OPTION)
    assert "id" not in spec and "state" not in spec and spec["callback_id"] == "cb"
    assert spec["blocks"][-2]["block_id"] == "entityNewId"
    assert reshape_for_new(view, "entityId", "acme") is None  # nothing to change


def test_a_new_application_and_entity_are_checked_then_read():
    choice, errors = read_platform_choice(
        {
            "applicationId": NEW_OPTION,
            "applicationNewId": "opt out",
            "entityId": NEW_OPTION,
            "entityNewId": "acme",
            "entityNewName": "x" * 256,
        }
    )
    assert "spaces" in errors["applicationNewId"] and "at most 255" in errors["entityNewName"]
    choice, errors = read_platform_choice(
        {
            "applicationId": NEW_OPTION,
            "applicationNewId": " optout ",
            "applicationNewName": "Opt-out",
            "entityId": "acme",
        }
    )
    assert errors == {}
    assert (choice.application_id, choice.entity_id) == ("optout", "acme")
    assert choice.new_application == Application(application_id="optout", application_name="Opt-out")
    assert choice.new_entity is None
    # "New" picked but the inputs never drawn (no block action reached the bot): said on the select.
    _, errors = read_platform_choice({"applicationId": NEW_OPTION, "entityId": "__none__"})
    assert "Enter the application id" in errors["applicationId"]
    # A typed id (more than 100 to choose from) is checked too.
    _, errors = read_platform_choice({"applicationId": "bad id"})
    assert "spaces" in errors["applicationId"]
