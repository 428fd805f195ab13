import pytest

from bot.slack.mrkdwn import (
    ELLIPSIS,
    escape,
    escape_truncated,
    mrkdwn_text,
    plain_text,
    truncate,
    truncate_mrkdwn,
)


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("<!channel>", "&lt;!channel&gt;"),
        ("<!here> hi", "&lt;!here&gt; hi"),
        ("ping <@U123>", "ping &lt;@U123&gt;"),
        ("<https://evil.example|click>", "&lt;https://evil.example|click&gt;"),
        ("Tom & Jerry", "Tom &amp; Jerry"),
        ("&lt;", "&amp;lt;"),  # already-looking entities are text too
        ("plain", "plain"),
        ("", ""),
    ],
)
def test_escape_neutralises_mentions_links_and_entities(typed, shown):
    assert escape(typed) == shown


def test_escape_leaves_no_angle_brackets():
    assert "<" not in escape("<<!channel>>") and ">" not in escape("<<!channel>>")


def test_truncate_keeps_short_text():
    assert truncate("short", 10) == "short"
    assert truncate("exactly10!", 10) == "exactly10!"


def test_truncate_cuts_to_the_limit_with_an_ellipsis():
    cut = truncate("a" * 200, 150)
    assert len(cut) == 150 and cut.endswith(ELLIPSIS)


def test_truncate_rejects_a_zero_limit():
    with pytest.raises(ValueError):
        truncate("x", 0)


def test_escape_truncated_never_leaves_half_an_entity():
    text = "a" * 8 + "&" + "b" * 20
    for limit in range(5, 20):
        cut = escape_truncated(text, limit)
        assert len(cut) <= limit
        assert "&am" not in cut.replace("&amp;", "")


def test_truncate_mrkdwn_keeps_whole_entities():
    assert truncate_mrkdwn("abc&lt;def", 6) == "abc" + ELLIPSIS


def test_text_objects_are_never_empty_or_too_long():
    assert plain_text("", 10) == {"type": "plain_text", "text": " "}
    assert len(plain_text("x" * 3000, 2000)["text"]) == 2000
    assert mrkdwn_text("*hi*") == {"type": "mrkdwn", "text": "*hi*"}
