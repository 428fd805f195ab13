"""Spend over real HTTP: `/resource spend` and the admins' Home tab add up exactly what the Infobip
sandbox's account owns (in total, by country, number type and application), this month's purchases
and cancellations made through the bot, and list exactly the unused numbers; one is cancelled from
the list once, whatever the replays; who may not see or cancel is refused."""

from __future__ import annotations

import re
import time
from collections import defaultdict
from datetime import datetime
from decimal import Decimal

import httpx
import pytest

from bot.domain.numbers import display_number
from bot.store.audit import list_audit
from tests.support.names import ADMIN, BOB, CHANNEL

AVAILABLE = "/numbers/1/numbers/available"
OWNED = "/numbers/1/numbers"
INBOUND = "/resource-management/1/inbound-message-configurations"


@pytest.fixture
def infobip(world):
    """The sandbox's Infobip API, called as the account would (to set the scene)."""
    with httpx.Client(
        base_url=world.sandbox_url, timeout=10, headers={"Authorization": f"App {world.sandbox.config.api_key}"}
    ) as client:
        yield client


def call(infobip, method: str, path: str, **kwargs) -> httpx.Response:
    """One call to the sandbox at the pace its limits allow (50 times Infobip's: back-to-back calls
    may be answered 429, then it is sent again)."""
    for _ in range(200):
        response = infobip.request(method, path, **kwargs)
        if response.status_code != 429:
            return response
        time.sleep(0.02)
    raise AssertionError(f"{method} {path} stayed rate limited")


def first_available(infobip, **params) -> dict:
    return call(infobip, "GET", AVAILABLE, params={**params, "limit": 1}).json()["numbers"][0]


def buy_directly(infobip, offer: dict) -> str:
    """Bought at Infobip without the bot (its web interface, another tool)."""
    response = call(infobip, "POST", OWNED, json={"numberKey": offer["numberKey"]})
    assert response.status_code == 200, response.text
    return offer["numberKey"]


def offers(view: dict) -> list[dict]:
    return [b for b in view["blocks"] if str(b.get("block_id", "")).startswith("offer:")]


def buy_through_bot(world, search: str, pick=None) -> tuple[str, Decimal]:
    """An admin buys a number on offer through the bot; (its key, the charge its Buy button named)."""
    world.slack.close_views(ADMIN, clear=True)
    ack = world.driver.slash_command("/resource", f"numbers {search}", user=ADMIN, channel=CHANNEL)
    assert ack.status == 200 and ack.in_time
    rows = offers(world.view(ADMIN, callback_id="numbers_search", contains="Numbers on offer"))
    row = next(r for r in rows if pick(r)) if pick else rows[0]
    world.driver.block_action("number_buy", user=ADMIN, block_id=row["block_id"])
    confirm = world.view(ADMIN, callback_id="number_buy_confirm")
    amount, currency = confirm["submit"]["text"].removeprefix("Buy for ").split()
    assert currency == "EUR"
    assert not world.driver.submit_view({}, user=ADMIN).errors
    world.view(ADMIN, contains="is yours")
    world.slack.close_views(ADMIN, clear=True)
    return row["block_id"].split(":", 2)[2], Decimal(amount)


def owned(world) -> dict[str, dict]:
    """The account's numbers as the sandbox holds them."""
    return {n["numberKey"]: n for n in world.sandbox_admin.get("/numbers/owned").json()["numbers"]}


def eur(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('0.01'))} EUR"


def monthly(number: dict) -> Decimal:
    return Decimal(str(number["price"]["pricePerMonth"]))


def text_of(blocks: list[dict]) -> str:
    """Every text a person reads in these blocks, one per line."""
    parts = []
    for block in blocks:
        for item in [block.get("text"), *(block.get("fields") or []), *(block.get("elements") or [])]:
            if isinstance(item, dict) and isinstance(item.get("text"), str):
                parts.append(item["text"])
    return "\n".join(parts)


def unused_keys(blocks: list[dict]) -> list[str]:
    return [b["block_id"].removeprefix("unused:") for b in blocks if str(b.get("block_id", "")).startswith("unused:")]


def open_spend(world, user: str = ADMIN, contains: str = "Unused numbers") -> dict:
    world.slack.close_views(user, clear=True)
    ack = world.driver.slash_command("/resource", "spend", user=user, channel=CHANNEL)
    assert ack.status == 200 and ack.in_time
    return world.view(user, callback_id="spend", contains=contains)


def the_scene(world, infobip) -> tuple[dict[str, str], dict[str, Decimal]]:
    """Six numbers: four bought through the bot, two at Infobip directly; one associated, one with a
    keyword, one with an inbound configuration without a keyword, one on another application. Two
    are unused: a toll-free number bought through the bot and a Croatian one bought directly."""
    assert call(infobip, "POST", "/provisioning/1/applications", json={"applicationId": "support"}).status_code == 201
    keys, charged = {}, {}
    for name, search, pick in (
        ("associated", "GB SMS", None),
        ("keyword", "GB SMS", None),
        ("unused_toll_free", "GB VOICE", lambda row: "toll-free" in row["text"]["text"]),
        ("on_support", "SE", None),
    ):
        keys[name], amount = buy_through_bot(world, search, pick)
        charged[keys[name]] = amount  # what its Buy button said it would charge at once
    keys["configured"] = buy_directly(infobip, first_available(infobip, country="GB", capabilities="SMS"))
    keys["unused_direct"] = buy_directly(infobip, first_available(infobip, country="HR"))

    association = {
        "resourceType": "NUMBER",
        "channel": "SMS",
        "applicationId": "support",
        "entityId": None,
        "resourceId": keys["associated"],
    }
    assert call(infobip, "POST", "/provisioning/1/associations", json=association).status_code == 201
    keyword = {"channel": "SMS", "numberKey": keys["keyword"], "keyword": "INFO"}
    assert call(infobip, "POST", INBOUND, json=keyword).status_code == 200
    catch_all = {"channel": "SMS", "numberKey": keys["configured"], "forwarding": {"type": "PULL"}}
    assert call(infobip, "POST", INBOUND, json=catch_all).status_code == 200
    moved = call(infobip, "PUT", f"{OWNED}/{keys['on_support']}", json={"applicationId": "support"})
    assert moved.status_code == 200, moved.text
    return keys, charged


def reported_month(shown: str) -> str:
    """ "2026-07" for a report that says "… this month (July 2026)…"."""
    found = re.search(r"[Tt]his month \(([A-Z][a-z]+ [0-9]{4})\)", shown)
    assert found, shown
    return datetime.strptime(found.group(1), "%B %Y").strftime("%Y-%m")


def expected_breakdowns(numbers: dict[str, dict]) -> dict[str, dict[str, tuple[int, Decimal]]]:
    """By country, number type and application, computed from the sandbox's own records."""
    groups: dict[str, dict[str, list[dict]]] = {"country": defaultdict(list), "application": defaultdict(list)}
    for number in numbers.values():
        groups["country"][number["countryName"]].append(number)
        groups["application"][number["applicationId"]].append(number)
    return {
        kind: {label: (len(members), sum((monthly(n) for n in members), Decimal(0))) for label, members in by.items()}
        for kind, by in groups.items()
    }


def test_spend_matches_the_sandbox_and_an_unused_number_is_cancelled_once(world, infobip):
    keys, charged = the_scene(world, infobip)
    numbers = owned(world)
    assert len(numbers) == 6 and all(n["price"]["currency"] == "EUR" for n in numbers.values())
    # Each purchase recorded what it charged at once, as its confirmation said (Infobip's answer to
    # a purchase has no first-month price to tell it later).
    for entry in list_audit(world.services.db, action_prefix="number.purchase"):
        key = entry.details["numberKey"]
        assert entry.details["charged"] == {"amount": float(charged[key]), "currency": "EUR"}
        assert "initialMonthPrice" not in entry.details["price"]

    view = open_spend(world)
    shown = text_of(view["blocks"])
    total = sum((monthly(n) for n in numbers.values()), Decimal(0))
    assert f"*The account's 6 numbers cost {eur(total)} a month.*" in shown
    breakdowns = expected_breakdowns(numbers)
    for label, (count, amount) in breakdowns["country"].items():
        assert f"• {label}: {count} number{'s' if count > 1 else ''} · {eur(amount)}" in shown
    for label, (count, amount) in breakdowns["application"].items():
        assert f"• {label}: {count} number{'s' if count > 1 else ''} · {eur(amount)}" in shown
    toll_free = numbers[keys["unused_toll_free"]]
    assert f"• Virtual long number (toll-free): 1 number · {eur(monthly(toll_free))}" in shown
    others = total - monthly(toll_free)
    assert f"• Virtual long number: 5 numbers · {eur(others)}" in shown

    # This month: the purchases made through the bot, each at what its Buy button said. (Those of
    # this month: all four, unless the month ended while the test ran.)
    month = reported_month(shown)
    purchases = [e for e in list_audit(world.services.db, action_prefix="number.purchase") if e.at[:7] == month]
    assert {e.details["numberKey"] for e in purchases} <= set(charged) and len(charged) == 4
    if purchases:
        bought = [e.details["numberKey"] for e in purchases]
        once = sum((charged[k] for k in bought), Decimal(0))
        more = sum((monthly(numbers[k]) for k in bought), Decimal(0))
        head = f"{len(bought)} number{'s' if len(bought) > 1 else ''} · {eur(once)} charged at once · {eur(more)}"
        assert f"this month ({datetime.strptime(month, '%Y-%m'):%B %Y}):* {head} a month more" in shown
        assert all(display_number(numbers[k]["number"]) in shown for k in bought)
    else:
        assert "Nothing bought or cancelled through the bot yet." in shown
    assert "Cancelled this month:* nothing through the bot." in shown or not purchases
    assert "Waiting for approval" not in shown  # nothing waits: no approvals yet

    # Unused: exactly the two that nothing uses, the dearer first, each with when it was bought.
    assert unused_keys(view["blocks"]) == sorted(
        [keys["unused_toll_free"], keys["unused_direct"]], key=lambda k: -monthly(numbers[k])
    )
    unused_total = monthly(toll_free) + monthly(numbers[keys["unused_direct"]])
    assert f"*2 numbers* are unused: cancelling them saves *{eur(unused_total)} a month*." in shown
    rows = {
        b["block_id"].removeprefix("unused:"): b
        for b in view["blocks"]
        if str(b.get("block_id", "")).startswith("unused:")
    }
    assert f"by <@{ADMIN}>" in rows[keys["unused_toll_free"]]["text"]["text"]
    assert "bought outside the bot" in rows[keys["unused_direct"]]["text"]["text"]
    button = rows[keys["unused_toll_free"]]["accessory"]
    assert button["style"] == "danger" and button["confirm"]["style"] == "danger"
    assert button["confirm"]["text"]["type"] == "plain_text"
    assert display_number(toll_free["number"]) in button["confirm"]["text"]["text"]

    # Cancel the toll-free one; the click is delivered three times (Slack's client resending, a replay).
    before = world.sandbox.calls["cancel-number"]
    click = world.driver.block_action_payload(
        "spend_cancel_number", user=ADMIN, block_id=f"unused:{keys['unused_toll_free']}"
    )
    assert world.driver.interact(click).status == 200
    after = world.view(ADMIN, callback_id="spend", contains="is cancelled and back in Infobip's pool")
    for _ in range(2):
        assert world.driver.interact(click).status == 200
    assert keys["unused_toll_free"] not in owned(world)
    assert world.sandbox.calls["cancel-number"] == before + 1
    [cancel] = list_audit(world.services.db, action_prefix="number.cancel")
    assert cancel.actor == ADMIN and cancel.details["numberKey"] == keys["unused_toll_free"]

    # The report afterwards: the number gone from the unused list and the total, counted as cancelled.
    shown = text_of(after["blocks"])
    assert unused_keys(after["blocks"]) == [keys["unused_direct"]]
    remaining = sum((monthly(n) for n in owned(world).values()), Decimal(0))
    assert f"*The account's 5 numbers cost {eur(remaining)} a month.*" in shown
    if cancel.at[:7] == reported_month(shown):
        assert f"*Cancelled this month:* 1 number · {eur(monthly(toll_free))} a month less" in shown
    world.wait(
        lambda: [m for m in world.slack.messages(CHANNEL) if "cancelled" in str(m.get("blocks"))],
        what="the cancellation notice in the channel",
    )
    time.sleep(0.3)  # replays answered late would show up here
    assert world.sandbox.calls["cancel-number"] == before + 1
    assert len(list_audit(world.services.db, action_prefix="number.cancel")) == 1


def home_publishes(world, user: str) -> int:
    return len([c for c in world.slack.calls("views.publish") if c.args.get("user_id") == user])


def home_blocks(world, user: str, after: int, contains: str) -> list[dict]:
    """The user's Home once it has been published more than `after` times and says `contains`."""
    return world.wait(
        lambda: (
            home_publishes(world, user) > after
            and contains in text_of((home := world.slack.home_view(user) or {}).get("blocks") or [])
            and home["blocks"]
        ),
        what=f"the Home of {user} saying {contains!r}",
    )


def test_the_admins_home_has_a_spend_section_to_cancel_from(world, infobip):
    unused = [buy_directly(infobip, first_available(infobip, country=c)) for c in ("SE", "HR")]
    numbers = owned(world)
    total = sum((monthly(n) for n in numbers.values()), Decimal(0))

    world.driver.open_home(user=ADMIN)
    blocks = home_blocks(world, ADMIN, 0, "Unused numbers")
    shown = text_of(blocks)
    assert "My requests" in shown and "Spend" in shown and len(blocks) <= 100
    assert f"*The account's 2 numbers cost {eur(total)} a month.*" in shown
    assert "• Croatia: 1 number" in shown and "• Sweden: 1 number" in shown
    assert sorted(unused_keys(blocks)) == sorted(unused)

    # Someone who is neither an admin nor a number manager sees no spend on their Home.
    world.driver.open_home(user=BOB)
    bobs = home_blocks(world, BOB, 0, "My requests")
    assert "Spend" not in text_of(bobs) and not unused_keys(bobs)

    # Cancel the Swedish one from the Home tab.
    dearer = max(unused, key=lambda k: monthly(numbers[k]))
    seen = home_publishes(world, ADMIN)
    world.driver.block_action("spend_cancel_number", user=ADMIN, block_id=f"unused:{dearer}")
    blocks = home_blocks(world, ADMIN, seen, "is cancelled and back in Infobip's pool")
    assert unused_keys(blocks) == [k for k in unused if k != dearer]
    assert dearer not in owned(world) and world.sandbox.calls["cancel-number"] == 1
    assert f"*The account's 1 number cost {eur(total - monthly(numbers[dearer]))} a month.*" in text_of(blocks)

    # The whole report opens from there in a modal.
    world.driver.block_action("spend_open", user=ADMIN)
    modal = world.view(ADMIN, callback_id="spend", contains="Unused numbers")
    assert unused_keys(modal["blocks"]) == [k for k in unused if k != dearer]


def test_spend_is_refused_to_whoever_is_neither_an_admin_nor_a_number_manager(world, infobip):
    buy_directly(infobip, first_available(infobip, country="SE"))
    ack = world.driver.slash_command("/resource", "spend", user=BOB, channel=CHANNEL)
    assert ack.status == 200 and ack.in_time
    assert "Only admins and number managers can see what the account's numbers cost" in ack.text
    assert f"<@{ADMIN}>" in ack.text
    time.sleep(0.2)
    assert world.slack.current_view(BOB) is None and world.sandbox.calls["list-owned-numbers"] == 0


@pytest.mark.world(resourcebot_number_managers=BOB)
def test_cancelling_is_for_number_managers_checked_at_the_click(world, infobip):
    key = buy_directly(infobip, first_available(infobip, country="HR"))

    # The admin sees what numbers cost, but cancelling is Bob's.
    view = open_spend(world, ADMIN)
    assert unused_keys(view["blocks"]) == [key]
    assert "spend_cancel_number" not in str(view["blocks"])
    assert f"Cancelling numbers is for number managers: <@{BOB}>" in text_of(view["blocks"])

    # Bob opens it with the button; he stops being a number manager before he clicks.
    view = open_spend(world, BOB)
    assert "spend_cancel_number" in str(view["blocks"])
    world.services.settings.resourcebot_number_managers = frozenset({"U0SOMEONE1"})
    world.driver.block_action("spend_cancel_number", user=BOB, block_id=f"unused:{key}")
    refused = world.view(BOB, callback_id="spend", contains="Only number managers can cancel numbers")
    assert "spend_cancel_number" not in str(refused["blocks"])
    assert key in owned(world) and world.sandbox.calls["cancel-number"] == 0
    assert list_audit(world.services.db, action_prefix="number.") == []


def test_a_number_put_to_use_since_the_list_was_read_is_not_cancelled(world, infobip):
    key = buy_directly(infobip, first_available(infobip, country="GB", capabilities="SMS"))
    view = open_spend(world)
    assert unused_keys(view["blocks"]) == [key]
    keyword = {"channel": "SMS", "numberKey": key, "keyword": "JOIN"}
    assert call(infobip, "POST", INBOUND, json=keyword).status_code == 200

    world.driver.block_action("spend_cancel_number", user=ADMIN, block_id=f"unused:{key}")
    view = world.view(ADMIN, callback_id="spend", contains="is in use now")
    assert "it has keywords" in text_of(view["blocks"]) and "so it was not cancelled" in text_of(view["blocks"])
    assert unused_keys(view["blocks"]) == []
    assert key in owned(world) and world.sandbox.calls["cancel-number"] == 0


def test_when_infobip_cannot_answer_the_report_says_so_and_refresh_reads_it_again(world, infobip):
    key = buy_directly(infobip, first_available(infobip, country="SE"))
    world.sandbox_fault(operation_id="list-owned-numbers", status=500, times=4)  # beyond the client's retries
    view = open_spend(world, contains="Could not add up what the numbers cost")
    assert "spend_refresh" in str(view["blocks"]) and not unused_keys(view["blocks"])
    world.driver.block_action("spend_refresh", user=ADMIN)
    view = world.view(ADMIN, callback_id="spend", contains="Unused numbers")
    assert unused_keys(view["blocks"]) == [key]
