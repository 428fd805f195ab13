"""The Block Kit rules the Slack stand-in enforces, one test per rule, as Slack's reference states it.

Each test shows a payload Slack accepts passing untouched, then the same payload broken in one
place, refused with one complaint whose json-pointer names the offending field.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from bot.sandbox.slack.blocks import MAX_MESSAGE_BLOCKS, check_blocks, check_view

_POINTER = re.compile(r"^\[ERROR\] .+ \[json-pointer:(/[^\]]*)\]$")


def plain(text: str, **extra: Any) -> dict:
    return {"type": "plain_text", "text": text, **extra}


def mrkdwn(text: str, **extra: Any) -> dict:
    return {"type": "mrkdwn", "text": text, **extra}


def option(text: str, value: str | None = None, **extra: Any) -> dict:
    return {"text": plain(text), "value": text if value is None else value, **extra}


def modal(*blocks: dict) -> dict:
    return {"type": "modal", "title": plain("Request"), "submit": plain("Send"), "blocks": list(blocks)}


def input_block(element: dict, block_id: str = "field", **extra: Any) -> dict:
    return {"type": "input", "block_id": block_id, "label": plain("Field"), "element": element, **extra}


def in_view(element: dict) -> list[str]:
    """Slack's complaints about `element` as the element of an input block in a modal."""
    return check_view(modal(input_block(element)))


def in_message(*blocks: dict) -> list[str]:
    return check_blocks(list(blocks), "/blocks", MAX_MESSAGE_BLOCKS)


def actions(*elements: dict, block_id: str = "row") -> dict:
    return {"type": "actions", "block_id": block_id, "elements": list(elements)}


def button(**extra: Any) -> dict:
    return {"type": "button", "action_id": "go", "text": plain("Go"), "value": "1", **extra}


def confirm(**changes: Any) -> dict:
    dialog = {
        "title": plain("Delete it?"),
        "text": plain("It cannot be undone."),
        "confirm": plain("Delete"),
        "deny": plain("Keep it"),
        "style": "danger",
    }
    dialog.update(changes)
    return {key: value for key, value in dialog.items() if value is not None}


def static_select(**extra: Any) -> dict:
    return {"type": "static_select", "action_id": "pick", "options": [option("One"), option("Two")], **extra}


def pointers(problems: list[str]) -> list[str]:
    """The json-pointer of each complaint; every complaint must be worded as Slack words it."""
    found = []
    for problem in problems:
        match = _POINTER.match(problem)
        assert match, f"not in Slack's wording: {problem}"
        found.append(match.group(1))
    return found


ELEMENT = "/view/blocks/0/element"


def refused(problems: list[str], pointer: str) -> bool:
    return pointers(problems) == [pointer]


# ---- input blocks ---------------------------------------------------------------------------


def test_label_at_most_2000_characters() -> None:
    text_input = {"type": "plain_text_input", "action_id": "value"}
    assert check_view(modal({**input_block(text_input), "label": plain("L" * 2000)})) == []
    problems = check_view(modal({**input_block(text_input), "label": plain("L" * 2001)}))
    assert refused(problems, "/view/blocks/0/label/text")
    assert "must be less than 2001 characters" in problems[0]


def test_hint_at_most_2000_characters_and_plain_text() -> None:
    text_input = {"type": "plain_text_input", "action_id": "value"}
    assert check_view(modal(input_block(text_input, hint=plain("H" * 2000)))) == []
    assert refused(check_view(modal(input_block(text_input, hint=plain("H" * 2001)))), "/view/blocks/0/hint/text")
    assert refused(check_view(modal(input_block(text_input, hint=mrkdwn("*H*")))), "/view/blocks/0/hint/type")


def test_placeholder_at_most_150_characters() -> None:
    assert in_view({"type": "plain_text_input", "action_id": "value", "placeholder": plain("P" * 150)}) == []
    problems = in_view({"type": "plain_text_input", "action_id": "value", "placeholder": plain("P" * 151)})
    assert refused(problems, ELEMENT + "/placeholder/text")


# ---- plain_text_input ---------------------------------------------------------------------


def test_plain_text_input_max_length_at_most_3000() -> None:
    assert in_view({"type": "plain_text_input", "max_length": 3000}) == []
    assert refused(in_view({"type": "plain_text_input", "max_length": 3001}), ELEMENT + "/max_length")
    assert refused(in_view({"type": "plain_text_input", "max_length": 0}), ELEMENT + "/max_length")


def test_plain_text_input_initial_value_no_longer_than_max_length() -> None:
    assert in_view({"type": "plain_text_input", "max_length": 5, "initial_value": "abcde"}) == []
    assert refused(
        in_view({"type": "plain_text_input", "max_length": 5, "initial_value": "abcdef"}), ELEMENT + "/initial_value"
    )
    # Without max_length the input still holds at most 3000 characters.
    assert refused(in_view({"type": "plain_text_input", "initial_value": "x" * 3001}), ELEMENT + "/initial_value")


def test_plain_text_input_min_length_not_above_max_length() -> None:
    assert in_view({"type": "plain_text_input", "min_length": 5, "max_length": 5}) == []
    assert refused(in_view({"type": "plain_text_input", "min_length": 6, "max_length": 5}), ELEMENT + "/min_length")


# ---- number_input ---------------------------------------------------------------------------


def test_number_input_requires_is_decimal_allowed() -> None:
    assert in_view({"type": "number_input", "is_decimal_allowed": False}) == []
    problems = in_view({"type": "number_input", "action_id": "n"})
    assert refused(problems, ELEMENT) and "missing required field: is_decimal_allowed" in problems[0]
    assert refused(in_view({"type": "number_input", "is_decimal_allowed": "no"}), ELEMENT + "/is_decimal_allowed")


def test_number_input_min_value_not_above_max_value() -> None:
    assert in_view({"type": "number_input", "is_decimal_allowed": False, "min_value": "1", "max_value": "49"}) == []
    assert refused(
        in_view({"type": "number_input", "is_decimal_allowed": False, "min_value": "50", "max_value": "49"}),
        ELEMENT + "/min_value",
    )


def test_number_input_initial_value_between_min_and_max() -> None:
    number = {"type": "number_input", "is_decimal_allowed": False, "min_value": "1", "max_value": "49"}
    assert in_view({**number, "initial_value": "49"}) == []
    assert refused(in_view({**number, "initial_value": "50"}), ELEMENT + "/initial_value")
    assert refused(in_view({**number, "initial_value": "0"}), ELEMENT + "/initial_value")


def test_number_input_values_are_whole_numbers_unless_decimals_allowed() -> None:
    assert in_view({"type": "number_input", "is_decimal_allowed": True, "initial_value": "2.5"}) == []
    assert refused(
        in_view({"type": "number_input", "is_decimal_allowed": False, "initial_value": "2.5"}),
        ELEMENT + "/initial_value",
    )
    # Slack's schema types the bounds as strings: a JSON number is refused too.
    assert refused(
        in_view({"type": "number_input", "is_decimal_allowed": False, "max_value": 49}), ELEMENT + "/max_value"
    )


# ---- options --------------------------------------------------------------------------------


def test_initial_option_must_be_one_of_the_options_by_value_and_text() -> None:
    assert in_view(static_select(initial_option=option("Two"))) == []
    assert refused(in_view(static_select(initial_option=option("Three"))), ELEMENT + "/initial_option")
    # Same value, other text: Slack compares both, so this is not one of the options.
    assert refused(in_view(static_select(initial_option=option("Deux", "Two"))), ELEMENT + "/initial_option")
    grouped = {"type": "static_select", "option_groups": [{"label": plain("G"), "options": [option("One")]}]}
    assert in_view({**grouped, "initial_option": option("One")}) == []


def test_initial_options_must_each_be_one_of_the_options() -> None:
    multi = {"type": "multi_static_select", "options": [option("One"), option("Two")]}
    assert in_view({**multi, "initial_options": [option("One"), option("Two")]}) == []
    assert refused(
        in_view({**multi, "initial_options": [option("One"), option("Nine")]}), ELEMENT + "/initial_options/1"
    )
    boxes = {"type": "checkboxes", "options": [{"text": mrkdwn("*Yes*"), "value": "yes"}]}
    assert in_view({**boxes, "initial_options": [{"text": mrkdwn("*Yes*"), "value": "yes"}]}) == []
    assert refused(
        in_view({**boxes, "initial_options": [{"text": plain("*Yes*"), "value": "yes"}]}),
        ELEMENT + "/initial_options/0",
    )


def test_at_most_100_options() -> None:
    assert in_view(static_select(options=[option(f"o{i}") for i in range(100)])) == []
    assert refused(in_view(static_select(options=[option(f"o{i}") for i in range(101)])), ELEMENT + "/options")
    assert refused(in_view(static_select(options=[])), ELEMENT + "/options")


def test_option_text_at_most_75_characters() -> None:
    assert in_view(static_select(options=[option("t" * 75, "v")])) == []
    assert refused(in_view(static_select(options=[option("t" * 76, "v")])), ELEMENT + "/options/0/text/text")


def test_option_value_at_most_150_characters() -> None:
    assert in_view(static_select(options=[option("t", "v" * 150)])) == []
    assert refused(in_view(static_select(options=[option("t", "v" * 151)])), ELEMENT + "/options/0/value")


@pytest.mark.parametrize("kind", ["static_select", "multi_static_select"])
def test_option_text_is_plain_text_in_selects(kind: str) -> None:
    marked = {"text": mrkdwn("*One*"), "value": "one"}
    assert refused(in_view({"type": kind, "options": [marked]}), ELEMENT + "/options/0/text/type")


@pytest.mark.parametrize("kind", ["checkboxes", "radio_buttons"])
def test_option_text_may_be_mrkdwn_in_checkboxes_and_radio_buttons(kind: str) -> None:
    marked = {"text": mrkdwn("*One*"), "value": "one", "description": mrkdwn("_first_")}
    assert in_view({"type": kind, "options": [marked]}) == []
    assert refused(
        in_view({"type": kind, "options": [{**marked, "text": mrkdwn("x" * 76)}]}), ELEMENT + "/options/0/text/text"
    )


def test_static_select_takes_exactly_one_of_options_and_option_groups() -> None:
    groups = [{"label": plain("Group"), "options": [option("One")]}]
    assert in_view({"type": "static_select", "option_groups": groups}) == []
    assert refused(in_view({"type": "static_select", "options": [option("One")], "option_groups": groups}), ELEMENT)
    assert refused(in_view({"type": "static_select", "action_id": "pick"}), ELEMENT)


def test_at_most_100_option_groups() -> None:
    def groups(n: int) -> list[dict]:
        return [{"label": plain(f"G{i}"), "options": [option(f"o{i}")]} for i in range(n)]

    assert in_view({"type": "static_select", "option_groups": groups(100)}) == []
    assert refused(in_view({"type": "static_select", "option_groups": groups(101)}), ELEMENT + "/option_groups")


def test_option_group_label_at_most_75_plain_text() -> None:
    assert (
        in_view({"type": "static_select", "option_groups": [{"label": plain("L" * 75), "options": [option("o")]}]})
        == []
    )
    assert refused(
        in_view({"type": "static_select", "option_groups": [{"label": plain("L" * 76), "options": [option("o")]}]}),
        ELEMENT + "/option_groups/0/label/text",
    )
    assert refused(
        in_view({"type": "static_select", "option_groups": [{"label": mrkdwn("L"), "options": [option("o")]}]}),
        ELEMENT + "/option_groups/0/label/type",
    )


def test_option_group_at_most_100_options() -> None:
    def group(n: int) -> dict:
        return {"label": plain("G"), "options": [option(f"o{i}") for i in range(n)]}

    assert in_view({"type": "static_select", "option_groups": [group(100), group(100)]}) == []
    assert refused(
        in_view({"type": "static_select", "option_groups": [group(100), group(101)]}),
        ELEMENT + "/option_groups/1/options",
    )


@pytest.mark.parametrize("kind", ["checkboxes", "radio_buttons"])
def test_checkboxes_and_radio_buttons_at_most_10_options(kind: str) -> None:
    assert in_view({"type": kind, "options": [option(f"o{i}") for i in range(10)]}) == []
    assert refused(in_view({"type": kind, "options": [option(f"o{i}") for i in range(11)]}), ELEMENT + "/options")


def test_overflow_at_most_5_options_and_only_there_an_option_url() -> None:
    linked = option("Docs", url="https://example.com/docs")
    overflow = {"type": "overflow", "action_id": "more", "options": [linked] + [option(f"o{i}") for i in range(4)]}
    assert in_message(actions(overflow)) == []
    assert refused(
        in_message(actions({**overflow, "options": overflow["options"] + [option("o9")]})),
        "/blocks/0/elements/0/options",
    )


# ---- file_input -----------------------------------------------------------------------------


def test_file_input_max_files_from_1_to_10() -> None:
    assert in_view({"type": "file_input", "max_files": 1}) == []
    assert in_view({"type": "file_input", "max_files": 10}) == []
    assert refused(in_view({"type": "file_input", "max_files": 11}), ELEMENT + "/max_files")
    assert refused(in_view({"type": "file_input", "max_files": 0}), ELEMENT + "/max_files")


def test_file_input_filetypes_a_list_of_strings() -> None:
    assert in_view({"type": "file_input", "filetypes": ["pdf", "png"]}) == []
    assert refused(in_view({"type": "file_input", "filetypes": "pdf"}), ELEMENT + "/filetypes")
    assert refused(in_view({"type": "file_input", "filetypes": ["pdf", 7]}), ELEMENT + "/filetypes")


# ---- buttons and actions --------------------------------------------------------------------


def test_button_text_at_most_75_plain_text() -> None:
    assert in_message(actions(button(text=plain("B" * 75)))) == []
    assert refused(in_message(actions(button(text=plain("B" * 76)))), "/blocks/0/elements/0/text/text")
    assert refused(in_message(actions(button(text=mrkdwn("*B*")))), "/blocks/0/elements/0/text/type")


def test_button_value_at_most_2000_characters() -> None:
    assert in_message(actions(button(value="v" * 2000))) == []
    assert refused(in_message(actions(button(value="v" * 2001))), "/blocks/0/elements/0/value")


def test_button_url_at_most_3000_characters() -> None:
    assert in_message(actions(button(url="https://example.com/" + "u" * 2980))) == []
    assert refused(in_message(actions(button(url="https://example.com/" + "u" * 2981))), "/blocks/0/elements/0/url")


def test_action_id_unique_within_a_block() -> None:
    assert in_message(actions(button(action_id="a"), button(action_id="b"))) == []
    # The same action_id in two blocks is fine: Slack tells them apart by block_id.
    assert (
        in_message(actions(button(action_id="a"), block_id="one"), actions(button(action_id="a"), block_id="two")) == []
    )
    problems = in_message(actions(button(action_id="a"), button(action_id="a")))
    assert refused(problems, "/blocks/0/elements/1/action_id") and "duplicate action_id" in problems[0]


def test_block_id_unique_within_a_view_and_a_message() -> None:
    text_input = {"type": "plain_text_input", "action_id": "value"}
    assert check_view(modal(input_block(text_input, "a"), input_block(text_input, "b"))) == []
    assert refused(
        check_view(modal(input_block(text_input, "a"), input_block(text_input, "a"))), "/view/blocks/1/block_id"
    )
    section = {"type": "section", "block_id": "s", "text": mrkdwn("hi")}
    assert refused(in_message(section, actions(button(), block_id="s")), "/blocks/1/block_id")


# ---- confirmation dialogs ---------------------------------------------------------------------

CONFIRM = "/blocks/0/elements/0/confirm"


def test_confirm_title_at_most_100_characters() -> None:
    assert in_message(actions(button(confirm=confirm(title=plain("T" * 100))))) == []
    assert refused(in_message(actions(button(confirm=confirm(title=plain("T" * 101))))), CONFIRM + "/title/text")


def test_confirm_text_at_most_300_characters() -> None:
    assert in_message(actions(button(confirm=confirm(text=plain("T" * 300))))) == []
    assert refused(in_message(actions(button(confirm=confirm(text=plain("T" * 301))))), CONFIRM + "/text/text")


@pytest.mark.parametrize("field", ["confirm", "deny"])
def test_confirm_and_deny_at_most_30_characters(field: str) -> None:
    assert in_message(actions(button(confirm=confirm(**{field: plain("B" * 30)})))) == []
    assert refused(in_message(actions(button(confirm=confirm(**{field: plain("B" * 31)})))), f"{CONFIRM}/{field}/text")


@pytest.mark.parametrize("field", ["title", "text", "confirm", "deny"])
def test_confirm_texts_are_plain_text(field: str) -> None:
    assert refused(in_message(actions(button(confirm=confirm(**{field: mrkdwn("*No*")})))), f"{CONFIRM}/{field}/type")


@pytest.mark.parametrize("field", ["title", "text", "confirm", "deny"])
def test_confirm_requires_title_text_confirm_and_deny(field: str) -> None:
    problems = in_message(actions(button(confirm=confirm(**{field: None}))))
    assert refused(problems, CONFIRM) and f"missing required field: {field}" in problems[0]


def test_confirm_style_primary_or_danger() -> None:
    assert in_message(actions(button(confirm=confirm(style="primary")))) == []
    assert in_message(actions(button(confirm=confirm(style=None)))) == []
    assert refused(in_message(actions(button(confirm=confirm(style="warning")))), CONFIRM + "/style")


def test_confirm_checked_on_selects_too() -> None:
    assert refused(in_view(static_select(confirm=confirm(text=mrkdwn("*sure?*")))), ELEMENT + "/confirm/text/type")


# ---- text objects ---------------------------------------------------------------------------


def test_emoji_only_on_plain_text() -> None:
    assert in_message({"type": "section", "text": plain("hi :wave:", emoji=True)}) == []
    assert refused(in_message({"type": "section", "text": mrkdwn("hi", emoji=True)}), "/blocks/0/text/emoji")


def test_verbatim_only_on_mrkdwn() -> None:
    assert in_message({"type": "section", "text": mrkdwn("#general", verbatim=True)}) == []
    assert refused(in_message({"type": "section", "text": plain("hi", verbatim=True)}), "/blocks/0/text/verbatim")


# ---- unknown fields -------------------------------------------------------------------------


def test_unknown_block_field_refused() -> None:
    section = {"type": "section", "text": mrkdwn("hi"), "expand": True}
    assert in_message(section) == []
    problems = in_message({**section, "colour": "red"})
    assert refused(problems, "/blocks/0/colour") and "colour" in problems[0]


def test_unknown_element_field_refused() -> None:
    assert refused(in_view({"type": "plain_text_input", "action_id": "v", "max_chars": 10}), ELEMENT + "/max_chars")
    # A field of another element is unknown here: `multiline` belongs to plain_text_input only.
    assert refused(in_view({"type": "email_text_input", "multiline": True}), ELEMENT + "/multiline")


def test_unknown_text_object_field_refused() -> None:
    assert refused(in_message({"type": "header", "text": plain("Title", bold=True)}), "/blocks/0/text/bold")


def test_unknown_option_field_refused() -> None:
    assert refused(in_view(static_select(options=[option("One", selected=True)])), ELEMENT + "/options/0/selected")
    # `url` is an option field only in overflow menus.
    assert refused(
        in_view(static_select(options=[option("One", url="https://example.com")])), ELEMENT + "/options/0/url"
    )


def test_unknown_confirm_field_refused() -> None:
    dialog = {**confirm(), "icon": ":warning:"}
    assert refused(in_message(actions(button(confirm=dialog))), CONFIRM + "/icon")


def test_unsupported_element_type_refused() -> None:
    assert refused(in_view({"type": "slider", "action_id": "v"}), ELEMENT + "/type")


# ---- the limits that were there before ------------------------------------------------------


def test_header_text_at_most_150_plain_text() -> None:
    assert in_message({"type": "header", "text": plain("H" * 150)}) == []
    assert refused(in_message({"type": "header", "text": plain("H" * 151)}), "/blocks/0/text/text")


def test_context_at_most_10_text_or_image_elements() -> None:
    image = {"type": "image", "image_url": "https://example.com/a.png", "alt_text": "a"}
    context = {"type": "context", "elements": [mrkdwn("m"), plain("p"), image] + [mrkdwn("x")] * 7}
    assert in_message(context) == []
    assert refused(in_message({**context, "elements": context["elements"] + [mrkdwn("y")]}), "/blocks/0/elements")
    assert refused(in_message({"type": "context", "elements": [button()]}), "/blocks/0/elements/0")


def test_actions_at_most_25_elements() -> None:
    def row(n: int) -> dict:
        return actions(*[button(action_id=f"b{i}") for i in range(n)])

    assert in_message(row(25)) == []
    assert refused(in_message(row(26)), "/blocks/0/elements")


def test_checks_leave_the_payload_untouched() -> None:
    view = modal(input_block(static_select(initial_option=option("One"), confirm=confirm())))
    before = copy.deepcopy(view)
    assert check_view(view) == []
    assert view == before
