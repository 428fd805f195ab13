"""`/resource` text parsing."""

import pytest

from bot.domain.commands import CommandError, Help, Launcher, NumberForm, SenderForm, parse_command


@pytest.mark.parametrize("text,expected", [
    ("", Launcher()),
    ("   ", Launcher()),
    ("help", Help()),
    ("sender HR", SenderForm("HR")),
    ("sender hr local transactional", SenderForm("HR", "LOCAL", "TRANSACTIONAL")),
    ("sender Croatia", SenderForm("HR")),
    ("number GB", NumberForm("GB", "VIRTUAL_LONG_NUMBER", ("SMS",), 1)),
    ("number US", NumberForm("US", "TEN_DIGIT_LONG_CODE", ("SMS",), 1)),
    ("number US TEN_DIGIT_LONG_CODE SMS 1", NumberForm("US", "TEN_DIGIT_LONG_CODE", ("SMS",), 1)),
    ("number de 3 sms,voice tollfree", NumberForm("DE", "TOLL_FREE_NUMBER", ("SMS", "VOICE"), 3)),
])
def test_understood(text, expected):
    assert parse_command(text) == expected


@pytest.mark.parametrize("text,fragment", [
    ("sender", "Which country"),
    ("sender XX", "don't know the country"),
    ("sender HR LOUD", "neither a traffic origin"),
    ("number GB 50", "between 1 and 49"),
    ("number GB FAX", "is not a number type"),
    ("dance", "I don't know"),
])
def test_not_understood_says_what_to_type(text, fragment):
    with pytest.raises(CommandError, match=fragment):
        parse_command(text)
