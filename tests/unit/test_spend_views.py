"""The spend report in Block Kit: what Slack accepts (checked by the stand-in's rules), within a
modal's and a Home tab's 100 blocks however many numbers there are, text from Infobip escaped,
the approval line only when something waits, and the danger confirmation before a cancel."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from bot.domain.spend import ChangeKind, NumberChange, PendingCost, summarize_spend
from bot.providers.infobip.models import Number
from bot.sandbox.slack.blocks import check_view
from bot.slack.home import HomeState, home_view
from bot.slack.spend.load import SpendReport
from bot.slack.spend.views import HOME_ROOM, MODAL_ROOM, home_blocks, spend_view
from tests.unit.test_home import requests

NOW = datetime(2026, 7, 15, 12, 0, tzinfo=UTC)
ADMIN = "U0ADMIN001"


def owned(count: int, **fields) -> list[Number]:
    return [
        Number.model_validate(
            {
                "numberKey": f"{n:032X}",
                "number": f"4477009{n:05d}",
                "country": "GB",
                "type": "VIRTUAL_LONG_NUMBER",
                "capabilities": ["SMS"],
                "price": {"pricePerMonth": 5, "setupPrice": 0, "currency": "EUR"},
                "applicationId": f"app-{n % 30}" if n % 2 else "default",
                **fields,
            }
        )
        for n in range(count)
    ]


def changes(count: int) -> list[NumberChange]:
    return [
        NumberChange(
            kind=ChangeKind.PURCHASE if n % 2 else ChangeKind.CANCELLATION,
            at=NOW - timedelta(minutes=n),
            actor=ADMIN,
            number=f"+4477009{n:05d}",
            number_key=f"{n:032X}",
            monthly=Decimal("5"),
            charged=Decimal("5"),
            currency="EUR",
        )
        for n in range(count)
    ]


def report(numbers, *, pending=(), history=()) -> SpendReport:
    summary = summarize_spend(
        numbers, associated=set(), configured=set(), changes=list(history), pending=list(pending), now=NOW
    )
    return SpendReport(summary, NOW)


def blocks_text(blocks: list[dict]) -> str:
    return str(blocks)


def test_a_big_account_fits_a_modal_and_slack_accepts_it():
    view = spend_view(report(owned(500), history=changes(200)), can_cancel=True, managers=[ADMIN], channel_id="C1")
    assert check_view(view) == [] and len(view["blocks"]) <= 100
    buttons = [b for b in view["blocks"] if str(b.get("block_id", "")).startswith("unused:")]
    assert len(buttons) == MODAL_ROOM.unused
    text = blocks_text(view["blocks"])
    assert "…and 210 more unused." in text and "*250 numbers* are unused" in text
    assert "*The account's 500 numbers cost 2500.00 EUR a month.*" in text
    assert "• …and 1 more" in text  # 16 applications, 15 shown
    assert json.loads(view["private_metadata"]) == {"ch": "C1"}


def test_the_home_tab_with_a_full_page_of_requests_and_the_spend_section_stays_within_100_blocks():
    spend = home_blocks(report(owned(500), history=changes(200)), can_cancel=True, managers=[ADMIN])
    view = home_view(requests(200), HomeState(), is_admin=True, spend=spend)
    assert check_view(view, kinds=("home",)) == [] and len(view["blocks"]) <= 100
    rows = [b for b in view["blocks"] if str(b.get("block_id", "")).startswith("unused:")]
    assert len(rows) == HOME_ROOM.unused
    assert "Open the whole report" in blocks_text(view["blocks"])


def test_the_cancel_button_asks_first_in_a_danger_dialog_of_plain_text():
    view = spend_view(report(owned(1, number="447700900<!channel>")), can_cancel=True, managers=[ADMIN])
    [row] = [b for b in view["blocks"] if str(b.get("block_id", "")).startswith("unused:")]
    button = row["accessory"]
    assert button["action_id"] == "spend_cancel_number" and button["style"] == "danger"
    confirm = button["confirm"]
    assert confirm["style"] == "danger"
    assert all(confirm[part]["type"] == "plain_text" for part in ("title", "text", "confirm", "deny"))
    assert "5.00 EUR a month" in confirm["text"]["text"] and "cannot be undone" in confirm["text"]["text"]
    assert "<!channel>" not in row["text"]["text"]  # the number as Infobip gave it, escaped in mrkdwn
    assert check_view(view) == []


def test_who_may_not_cancel_sees_no_button_and_whom_to_ask():
    view = spend_view(report(owned(3)), can_cancel=False, managers=["U0BOB00001"])
    text = blocks_text(view["blocks"])
    assert "spend_cancel_number" not in text and "Cancelling numbers is for number managers: <@U0BOB00001>" in text


def test_provider_text_is_escaped():
    numbers = owned(2, applicationId="<!channel>", countryName="<@U0EVIL0001>", entityId=None)
    view = spend_view(report(numbers), can_cancel=True, managers=[ADMIN])
    text = blocks_text(view["blocks"])
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text and "<@U0EVIL0001>" not in text


def _mrkdwn_texts(node) -> list[str]:
    """Every mrkdwn text in the blocks (plain_text is shown as it is: nothing to escape there)."""
    if isinstance(node, dict):
        found = [node["text"]] if node.get("type") == "mrkdwn" else []
        return found + [t for value in node.values() for t in _mrkdwn_texts(value)]
    if isinstance(node, list):
        return [t for item in node for t in _mrkdwn_texts(item)]
    return []


def test_a_currency_from_the_provider_is_escaped_in_mrkdwn():
    numbers = owned(2, price={"pricePerMonth": 5, "setupPrice": 0, "currency": "<!here>"})
    texts = _mrkdwn_texts(spend_view(report(numbers), can_cancel=True, managers=[ADMIN])["blocks"])
    assert not any("<!here>" in text for text in texts)
    assert any("&lt;!here&gt;" in text for text in texts)


def test_the_approval_line_shows_only_when_something_waits():
    assert "Waiting for approval" not in blocks_text(
        spend_view(report(owned(2)), can_cancel=True, managers=[])["blocks"]
    )
    pending = [PendingCost("+44 7700 900123", Decimal("5"), Decimal("10"), "EUR")]
    text = blocks_text(spend_view(report(owned(2), pending=pending), can_cancel=True, managers=[])["blocks"])
    assert "*Waiting for approval:* 5.00 EUR a month and 10.00 EUR at once" in text
    assert "+44 7700 900123: 5.00 EUR a month" in text


def test_no_unused_number_is_said_under_its_heading():
    numbers = owned(2, applicationId="support")
    view = spend_view(report(numbers), can_cancel=True, managers=[ADMIN])
    headers = [b["text"]["text"] for b in view["blocks"] if b["type"] == "header"]
    assert headers == ["Unused numbers"] and "None: every number is in use." in blocks_text(view["blocks"])


def test_a_report_that_could_not_be_read_says_why_and_offers_to_try_again():
    failed = SpendReport(problem=("Infobip is busy right now (too many requests).", ["Wait a few seconds."]))
    view = spend_view(failed, can_cancel=True, managers=[])
    text = blocks_text(view["blocks"])
    assert "Could not add up what the numbers cost: Infobip is busy" in text and "spend_refresh" in text
    assert check_view(view) == []
    not_read = home_blocks(SpendReport(), can_cancel=True, managers=[])
    assert (
        "Not read yet" in blocks_text(not_read)
        and check_view({"type": "home", "blocks": not_read}, kinds=("home",)) == []
    )
