"""`/resource` text parsing."""

import pytest

from bot.domain.commands import (
    Associate,
    Associations,
    CommandError,
    Help,
    Launcher,
    ListRequests,
    MultiSenderForm,
    MyNumbers,
    NumberForm,
    NumbersSearch,
    SenderForm,
    ShowRequest,
    Spend,
    parse_command,
    parse_countries,
)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("", Launcher()),
        ("   ", Launcher()),
        ("help", Help()),
        ("sender HR", SenderForm("HR")),
        ("sender hr local transactional", SenderForm("HR", "LOCAL", "TRANSACTIONAL")),
        ("sender Croatia", SenderForm("HR")),
        ("sender hr,rs,si", MultiSenderForm(("HR", "RS", "SI"))),
        ("sender HR,RS INTERNATIONAL", MultiSenderForm(("HR", "RS"), "INTERNATIONAL")),
        ("sender HR,hr", SenderForm("HR")),  # one country, however often typed: the form of one
        ("sender HR,RS,HR,", MultiSenderForm(("HR", "RS"))),
        ("number GB", NumberForm("GB", "VIRTUAL_LONG_NUMBER", ("SMS",), 1)),
        ("number US", NumberForm("US", "TEN_DIGIT_LONG_CODE", ("SMS",), 1)),
        ("number US TEN_DIGIT_LONG_CODE SMS 1", NumberForm("US", "TEN_DIGIT_LONG_CODE", ("SMS",), 1)),
        ("number de 3 sms,voice tollfree", NumberForm("DE", "TOLL_FREE_NUMBER", ("SMS", "VOICE"), 3)),
    ],
)
def test_understood(text, expected):
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    "text,fragment",
    [
        ("sender", "Which country"),
        ("sender XX", "don't know the country"),
        ("sender HR LOUD", "neither a traffic origin"),
        ("sender HR,XX", "don't know the country"),
        ("sender ,", "Which country"),
        ("sender " + ",".join(["HR", "RS", "SI", "DE", "AT", "FR", "IT", "ES", "PT", "NL", "BE"]), "At most 10"),
        ("number GB 50", "between 1 and 49"),
        ("number GB FAX", "is not a number type"),
        ("dance", "I don't know"),
        ("spend July", "takes nothing after it"),
    ],
)
def test_not_understood_says_what_to_type(text, fragment):
    with pytest.raises(CommandError, match=fragment):
        parse_command(text)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("numbers GB", NumbersSearch("GB")),
        ("numbers US sms,voice 317 state=in npa=317", NumbersSearch("US", ("SMS", "VOICE"), "317", "IN", "317", None)),
        ("my-numbers", MyNumbers()),
        ("my-numbers +4420", MyNumbers("4420")),
        ("associate", Associate()),
        ("associations", Associations()),
        ("associations type=number app=marketing channel=sms", Associations("NUMBER", "marketing", None, "SMS", None)),
        ("spend", Spend()),
        ("Spend", Spend()),
    ],
)
def test_management_commands(text, expected):
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    "text,fragment",
    [
        ("numbers", "Which country"),
        ("numbers GB state=IN", "only narrow US"),
        ("numbers US npa=31", "three digits"),
        ("numbers US zip=1", "not a filter"),
        ("numbers GB 44ab", "1 to 15 digits"),
        ("associations owner=me", "not a filter"),
        ("associations marketing", "not a filter"),
    ],
)
def test_management_commands_not_understood(text, fragment):
    with pytest.raises(CommandError, match=fragment):
        parse_command(text)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("list", ListRequests()),
        ("list action", ListRequests("ACTION_REQUIRED")),
        ("list all completed", ListRequests("COMPLETED", True)),
        ("status r7k2q9xm", ShowRequest("R7K2Q9XM")),
    ],
)
def test_my_requests_commands(text, expected):
    assert parse_command(text) == expected


@pytest.mark.parametrize("text,fragment", [("list soon", "not a status group"), ("status", "Which request")])
def test_my_requests_commands_not_understood(text, fragment):
    with pytest.raises(CommandError, match=fragment):
        parse_command(text)


@pytest.mark.parametrize("text", ["numbers US npa=²²²", "my-numbers " + "1" * 16, "number GB ³"])
def test_only_ascii_digits_and_bounded_fragments_are_accepted(text):
    with pytest.raises(CommandError):
        parse_command(text)


def test_spend_is_in_the_usage_and_served_by_the_command_table():
    from bot.domain.commands import USAGE
    from bot.slack.command_table import handler_for
    from bot.slack.spend.listeners import open_spend

    assert "`/resource spend`" in USAGE and "unused numbers" in USAGE
    assert handler_for(Spend()) is open_spend


def test_profiles_is_a_command_in_the_usage_and_served_by_the_command_table():
    from bot.domain.commands import USAGE, Profiles
    from bot.slack.command_table import handler_for
    from bot.slack.profiles.listeners import open_profiles

    assert parse_command("profiles") == Profiles() == parse_command("Profile")
    with pytest.raises(CommandError, match="takes nothing"):
        parse_command("profiles acme")
    assert "`/resource profiles`" in USAGE
    assert handler_for(Profiles()) is open_profiles


def test_countries_typed_with_commas_are_each_once_in_the_order_typed():
    assert parse_countries("Croatia, rs ,HR") == ("HR", "RS")
