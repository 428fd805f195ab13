"""Numbers from Slack over real HTTP: browse what's on offer (filters, paging, no match), buy with
a confirmation (and the refusal for non-managers, and the request flow where Infobip asks for
documents), list the account's numbers, put one on an application/entity, cancel one, the errors
people see, and the audit listing of it all."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.names import ADMIN, BOB, CHANNEL

AVAILABLE = "/numbers/1/numbers/available"
OWNED = "/numbers/1/numbers"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def infobip(world):
    """The sandbox's Infobip API, called as the account would (to set the scene)."""
    with httpx.Client(
        base_url=world.sandbox_url, timeout=10, headers={"Authorization": f"App {world.sandbox.config.api_key}"}
    ) as client:
        yield client


def buy(infobip, number_key: str) -> None:
    """The account buys a number straight at the sandbox, at the pace its purchase limit allows
    (1 a second, 50 times faster there: back-to-back calls may be answered 429)."""
    for _ in range(100):
        response = infobip.post(OWNED, json={"numberKey": number_key})
        if response.status_code != 429:
            break
        time.sleep(0.02)
    assert response.status_code == 200, response.text


def search(world, text: str, user: str = ADMIN) -> dict:
    """The search modal this command opens (not one an earlier search left open)."""
    earlier = (world.slack.current_view(user) or {}).get("id")
    ack = world.driver.slash_command("/resource", f"numbers {text}", user=user, channel=CHANNEL)
    assert ack.status == 200 and ack.in_time
    return world.wait(
        lambda: (
            (view := world.view(user, callback_id="numbers_search", contains="Numbers on offer"))["id"] != earlier
            and view
        ),
        what=f"the search modal for {text}",
    )


def offers(view: dict) -> list[dict]:
    return [b for b in view["blocks"] if str(b.get("block_id", "")).startswith("offer:")]


def key_of(row: dict) -> str:
    return row["block_id"].split(":", 2)[2]  # offer:<row index>:<numberKey>


def owned(world) -> dict[str, dict]:
    numbers = world.sandbox_admin.get("/numbers/owned").json()["numbers"]
    return {n["numberKey"]: n for n in numbers}


def audit(world, action: str) -> list:
    from bot.store.audit import list_audit

    return list_audit(world.services.db, action_prefix=action)


def test_search_filters_and_pages_through_the_offer(world):
    view = search(world, "GB SMS")
    rows = offers(view)
    assert len(rows) == 10 and "Numbers 1–10 of 14" in str(view["blocks"])
    first_page = {key_of(r) for r in rows}
    text = str(rows)
    assert "+44 7700 900" in text and "Virtual long number" in text and "dedicated" in text
    assert "EUR/month" in text and "setup" in text and "first month" in text
    assert all("SMS" in r["text"]["text"] for r in rows)
    assert "number_routing" not in str(view["blocks"])

    world.driver.block_action("numbers_page_next", user=ADMIN)
    view = world.view(ADMIN, callback_id="numbers_search", contains="Numbers 11–14 of 14")
    second = offers(view)
    assert len(second) == 4 and first_page.isdisjoint(key_of(r) for r in second)
    assert "Short code" in str(second) and "shared" in str(second)
    assert "numbers_page_next" not in str(view["blocks"])

    world.driver.block_action("numbers_page_prev", user=ADMIN)
    view = world.view(ADMIN, callback_id="numbers_search", contains="Numbers 1–10 of 14")
    assert {key_of(r) for r in offers(view)} == first_page

    # US location filters and a digits fragment.
    view = search(world, "US SMS state=IN npa=317")
    rows = offers(view)
    assert len(rows) == 3 and all("+1 317" in r["text"]["text"] for r in rows)
    assert "state IN" in str(view["blocks"]) and "area code 317" in str(view["blocks"])
    digits = rows[0]["text"]["text"].split("*")[1].replace(" ", "").replace("-", "")[-7:]
    view = search(world, f"US {digits}")
    assert [key_of(r) for r in offers(view)] == [key_of(rows[0])]


def test_no_match_is_said_plainly_for_an_empty_answer_and_for_a_404(world):
    view = search(world, "SE MMS")
    assert "No numbers match in Sweden (MMS)" in str(view["blocks"]) and not offers(view)
    world.sandbox_fault(operation_id="get-available-numbers", status=404)
    view = search(world, "GB")
    assert "No numbers match in United Kingdom" in str(view["blocks"])


def test_buying_needs_a_confirmation_with_the_exact_charge_then_posts_and_audits(world):
    view = search(world, "GB SMS")
    row = offers(view)[0]
    key = key_of(row)
    world.driver.block_action("number_buy", user=ADMIN, block_id=row["block_id"])
    confirm = world.view(ADMIN, callback_id="number_buy_confirm")
    text = str(confirm["blocks"])
    assert "Setup fee" in text and "First month" in text and "Charged now" in text and key in text
    assert confirm["submit"]["text"].startswith("Buy for ") and "EUR" in confirm["submit"]["text"]
    assert key not in owned(world)  # nothing is bought before the confirmation

    submitted = world.driver.submit_view({}, user=ADMIN)
    assert submitted.status == 200 and not submitted.errors
    done = world.view(ADMIN, contains="is yours")
    assert key in str(done["blocks"]) and "Posted in" in str(done["blocks"])
    number = owned(world)[key]
    assert number["applicationId"] == "default"

    notice = world.wait(
        lambda: [m for m in world.slack.messages(CHANNEL) if key in str(m.get("blocks"))], what="the purchase notice"
    )[0]
    posted = str(notice["blocks"])
    assert f"<@{ADMIN}>" in posted and "EUR/month" in posted and "+44 7700 900" in posted

    [entry] = audit(world, "number.purchase")
    assert entry.actor == ADMIN and entry.target == "+" + number["number"]
    assert entry.details["numberKey"] == key and entry.details["price"]["currency"] == "EUR"
    assert entry.details["applicationId"] == "default"
    # The list behind the confirmation no longer offers the number.
    stack = world.wait(
        lambda: (s := world.slack.view_stack(ADMIN)) and key not in str(s[0]["blocks"]) and s,
        what="the search to be refreshed",
    )
    assert stack[0]["callback_id"] == "numbers_search"


def test_a_us_number_is_bought_by_number_straight_onto_an_application(world, infobip):
    assert infobip.post("/provisioning/1/applications", json={"applicationId": "marketing"}).status_code == 201
    assert infobip.post("/provisioning/1/entities", json={"entityId": "acme", "entityName": "Acme"}).status_code == 201
    view = search(world, "US SMS state=IN")
    row = offers(view)[0]
    world.driver.block_action("number_buy", user=ADMIN, block_id=row["block_id"])
    world.view(ADMIN, callback_id="number_buy_confirm")
    submitted = world.driver.submit_view({"applicationId": "marketing", "entityId": "acme"}, user=ADMIN)
    assert not submitted.errors
    world.view(ADMIN, contains="is yours")
    number = owned(world)[key_of(row)]  # the sandbox refuses a US purchase by numberKey
    assert number["applicationId"] == "marketing" and number["entityId"] == "acme"
    assert audit(world, "number.purchase")[0].after == {"applicationId": "marketing", "entityId": "acme"}


def test_who_may_not_buy_is_told_so_and_nothing_is_bought(world):
    view = search(world, "GB", user=BOB)
    assert "buying is for number managers" in str(view["blocks"]) and f"<@{ADMIN}>" in str(view["blocks"])
    row = offers(view)[0]
    world.driver.block_action("number_buy", user=BOB, block_id=row["block_id"])
    refusal = world.view(BOB, contains="Only number managers can buy numbers")
    assert refusal.get("callback_id") != "number_buy_confirm"
    assert owned(world) == {} and audit(world, "number.") == []


def test_where_infobip_asks_for_documents_the_request_flow_is_offered_instead(world):
    view = search(world, "DE")
    world.driver.block_action("number_buy", user=ADMIN, block_id=offers(view)[0]["block_id"])
    offer = world.view(ADMIN, contains="asks for details")
    text = str(offer["blocks"])
    assert "Proof of Address" in text and "number requests" in text and offer.get("callback_id") != "number_buy_confirm"
    world.driver.block_action("number_buy_request", user=ADMIN)
    form = world.view(ADMIN, callback_id="request_form", contains="proofOfAddress")
    assert form["title"]["text"].startswith("Request Numbers")
    assert owned(world) == {}


def test_my_numbers_set_application_cancel_and_the_audit_listing(world, infobip, tmp_path):
    stock = infobip.get(AVAILABLE, params={"country": "HR", "limit": 2}).json()["numbers"]
    for number in stock:
        buy(infobip, number["numberKey"])
    infobip.post("/provisioning/1/applications", json={"applicationId": "support", "applicationName": "Support"})
    key = stock[0]["numberKey"]

    world.driver.slash_command("/resource", "my-numbers", user=ADMIN, channel=CHANNEL)
    view = world.view(ADMIN, callback_id="my_numbers", contains="2 numbers")
    text = str(view["blocks"])
    assert "Croatia" in text and "+385 91" in text and "application `default`" in text and "EUR/month" in text
    for action in ("number_set_platform", "number_routing", "number_cancel"):
        assert f"'action_id': '{action}', 'value': '{key}'" in text

    # Put it on the support application.
    world.driver.block_action("number_set_platform", user=ADMIN, block_id=f"owned:{key}")
    world.view(ADMIN, callback_id="number_set_platform_form")
    assert not world.driver.submit_view({"applicationId": "support"}, user=ADMIN).errors
    world.view(ADMIN, contains="is now on")
    assert owned(world)[key]["applicationId"] == "support"
    # Audited and announced as the number-level routing change it is (as the inbound-routing modal does).
    [update] = audit(world, "routing.number")
    assert update.actor == ADMIN and update.target == key
    assert update.before == {"applicationId": "default", "entityId": None}
    assert update.after == {"applicationId": "support", "entityId": None}
    assert audit(world, "number.update") == []
    announced = world.wait(
        lambda: next(
            (str(m.get("text")) for m in world.slack.messages(CHANNEL) if "number-level routing" in str(m.get("text"))),
            None,
        ),
        what="the routing change posted",
    )
    assert f"<@{ADMIN}>" in announced and "application `default` → `support`" in announced
    world.wait(lambda: "`support`" in str(world.slack.view_stack(ADMIN)[0]["blocks"]), what="the list refreshed")
    world.driver.close_view(user=ADMIN)  # back to the list

    # Cancel it: a danger confirmation naming the number, then back in stock.
    world.driver.block_action("number_cancel", user=ADMIN, block_id=f"owned:{key}")
    confirm = world.view(ADMIN, callback_id="number_cancel_confirm")
    assert "Cancel +385 91" in str(confirm["blocks"]) and "cannot be undone" in str(confirm["blocks"])
    assert key in owned(world)
    assert not world.driver.submit_view({}, user=ADMIN).errors
    world.view(ADMIN, contains="back in Infobip's pool")
    assert key not in owned(world)
    back = infobip.get(AVAILABLE, params={"number": stock[0]["number"]}).json()["numbers"]
    assert [n["numberKey"] for n in back] == [key]
    [cancel] = audit(world, "number.cancel")
    assert cancel.actor == ADMIN and cancel.target == "+" + stock[0]["number"]
    assert cancel.details["numberKey"] == key and cancel.before == {"applicationId": "support", "entityId": None}
    world.wait(
        lambda: [m for m in world.slack.messages(CHANNEL) if "cancelled" in str(m.get("blocks"))],
        what="the cancellation notice",
    )
    world.wait(lambda: "1 number" in str(world.slack.view_stack(ADMIN)[0]["blocks"]), what="the list refreshed")

    # `resourcebot audit` lists both changes.
    env = {**os.environ, "RESOURCEBOT_DB": str(world.services.settings.resourcebot_db)}
    listing = subprocess.run(
        [sys.executable, "-m", "bot", "audit"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=30
    )
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert any("routing.number" in line and key in line for line in lines)
    assert any("number.cancel" in line and "+" + stock[0]["number"] in line and ADMIN in line for line in lines)


def test_who_may_not_cancel_is_refused(world, infobip):
    offer = infobip.get(AVAILABLE, params={"country": "GB", "limit": 1}).json()["numbers"][0]
    buy(infobip, offer["numberKey"])
    world.driver.slash_command("/resource", "my-numbers", user=BOB, channel=CHANNEL)
    world.view(BOB, callback_id="my_numbers", contains="1 number")
    world.driver.block_action("number_cancel", user=BOB)
    world.view(BOB, contains="Only number managers can cancel numbers")
    world.driver.close_view(user=BOB)
    world.driver.block_action("number_set_platform", user=BOB)
    world.view(BOB, contains="Only routing managers can move numbers")
    assert offer["numberKey"] in owned(world) and audit(world, "number.") == []


@pytest.mark.world(resourcebot_number_managers=f"{ADMIN},{BOB}")
def test_setting_a_numbers_application_is_for_routing_managers_not_number_managers(world, infobip):
    """The same PUT as the inbound-routing modal's number level: the same permission, at the
    click and again at the submission."""
    offer = infobip.get(AVAILABLE, params={"country": "GB", "limit": 1}).json()["numbers"][0]
    key = offer["numberKey"]
    buy(infobip, key)
    infobip.post("/provisioning/1/applications", json={"applicationId": "support"})

    # Bob may buy and cancel numbers, not route them.
    world.driver.slash_command("/resource", "my-numbers", user=BOB, channel=CHANNEL)
    world.view(BOB, callback_id="my_numbers", contains="1 number")
    world.driver.block_action("number_set_platform", user=BOB)
    world.view(BOB, contains="Only routing managers can move numbers")
    assert world.slack.current_view(BOB).get("callback_id") != "number_set_platform_form"

    # Ada opens the form, then stops being a routing manager before she saves.
    world.driver.slash_command("/resource", "my-numbers", user=ADMIN, channel=CHANNEL)
    world.view(ADMIN, callback_id="my_numbers", contains="1 number")
    world.driver.block_action("number_set_platform", user=ADMIN)
    world.view(ADMIN, callback_id="number_set_platform_form")
    world.services.settings.resourcebot_routing_managers = frozenset({"U0SOMEONE1"})
    assert world.driver.submit_view({"applicationId": "support"}, user=ADMIN).errors is None
    world.view(ADMIN, contains="Only routing managers can move numbers")
    assert owned(world)[key]["applicationId"] == "default" and audit(world, "routing.") == []


def test_errors_reach_people_as_sentences(world, infobip):
    stock = infobip.get(AVAILABLE, params={"country": "SE", "limit": 1}).json()["numbers"]
    key = stock[0]["numberKey"]
    buy(infobip, key)
    infobip.post("/provisioning/1/applications", json={"applicationId": "doomed"})

    # 400 with validation errors: the application vanished between opening the form and saving.
    world.driver.slash_command("/resource", "my-numbers", user=ADMIN, channel=CHANNEL)
    world.view(ADMIN, callback_id="my_numbers", contains="1 number")
    world.driver.block_action("number_set_platform", user=ADMIN)
    world.view(ADMIN, callback_id="number_set_platform_form")
    assert infobip.delete("/provisioning/1/applications/doomed").status_code in (200, 204)
    world.driver.submit_view({"applicationId": "doomed"}, user=ADMIN)
    failed = str(world.view(ADMIN, contains="was not changed")["blocks"])
    assert "did not accept what was sent" in failed and "*Application*: application doomed does not exist" in failed
    assert "Nothing was changed" in failed and "BAD_REQUEST" not in failed
    assert audit(world, "number.update") == []

    # 404: cancelled by someone else while the confirmation was open.
    world.slack.close_views(ADMIN, clear=True)
    world.driver.slash_command("/resource", "my-numbers", user=ADMIN, channel=CHANNEL)
    world.view(ADMIN, callback_id="my_numbers", contains="1 number")
    world.driver.block_action("number_cancel", user=ADMIN)
    world.view(ADMIN, callback_id="number_cancel_confirm")
    assert infobip.delete(f"{OWNED}/{key}").status_code == 204
    world.driver.submit_view({}, user=ADMIN)
    gone = str(world.view(ADMIN, contains="not among the account's numbers any more")["blocks"])
    assert "cancelled it meanwhile" in gone and "requestError" not in gone
    assert audit(world, "number.cancel") == []

    # 429: Infobip stays busy beyond the client's retries; Try again works once it is not.
    world.sandbox_fault(operation_id="get-available-numbers", status=429, retry_after=0.1, times=4)
    view = search(world, "GB")
    assert "Infobip is busy right now" in str(view["blocks"]) and not offers(view)
    world.driver.block_action("numbers_page_retry", user=ADMIN)
    world.wait(lambda: offers(world.slack.current_view(ADMIN) or {"blocks": []}), what="the retried search")

    # A purchase refused for a number someone else just bought.
    view = search(world, "GB SMS")
    row = offers(view)[0]
    world.driver.block_action("number_buy", user=ADMIN, block_id=row["block_id"])
    world.view(ADMIN, callback_id="number_buy_confirm")
    buy(infobip, key_of(row))
    world.driver.submit_view({}, user=ADMIN)
    refused = str(world.view(ADMIN, contains="no longer on offer")["blocks"])
    assert "Nothing was bought" in refused and audit(world, "number.purchase") == []


def test_a_purchase_with_an_unknown_outcome_is_never_sent_twice(world):
    view = search(world, "GB SMS")
    rows = offers(view)

    # The answer is lost and the number is not the account's: the outcome stays unknown.
    world.driver.block_action("number_buy", user=ADMIN, block_id=rows[0]["block_id"])
    world.view(ADMIN, callback_id="number_buy_confirm")
    world.sandbox_fault(operation_id="purchase-number", status=502)
    world.driver.submit_view({}, user=ADMIN)
    unknown = str(world.view(ADMIN, contains="did not confirm")["blocks"])
    assert "/resource my-numbers" in unknown and "did not try again" in unknown
    assert owned(world) == {} and audit(world, "number.purchase") == []

    # The answer is lost but the purchase went through: reading it back confirms it, once.
    world.slack.close_views(ADMIN, clear=True)
    view = search(world, "GB SMS")
    row = offers(view)[1]
    world.driver.block_action("number_buy", user=ADMIN, block_id=row["block_id"])
    world.view(ADMIN, callback_id="number_buy_confirm")
    world.sandbox_fault(operation_id="purchase-number", status=502, after_processing=True)
    world.driver.submit_view({}, user=ADMIN)
    world.view(ADMIN, contains="is yours")
    assert list(owned(world)) == [key_of(row)]
    [entry] = audit(world, "number.purchase")
    assert entry.details["numberKey"] == key_of(row)


def test_the_launcher_opens_numbers_and_my_numbers(world):
    world.driver.slash_command("/resource", "", user=ADMIN, channel=CHANNEL)
    launcher = world.view(ADMIN, callback_id="launcher")
    assert "my-numbers" in str(launcher["blocks"]) and "'value': 'numbers'" in str(launcher["blocks"])
    world.driver.submit_view({"what": "numbers", "country": "Sweden"}, user=ADMIN)
    view = world.view(ADMIN, callback_id="numbers_search", contains="Sweden")
    assert offers(view)


def test_my_numbers_pages_and_filters_by_digits(world, infobip):
    stock = infobip.get(AVAILABLE, params={"country": "GB", "limit": 11}).json()["numbers"]
    for number in stock:
        buy(infobip, number["numberKey"])
    world.driver.slash_command("/resource", "my-numbers", user=ADMIN, channel=CHANNEL)
    view = world.view(ADMIN, callback_id="my_numbers", contains="Numbers 1–10 of 11")
    assert str(view["blocks"]).count("'action_id': 'number_cancel'") == 10
    world.driver.block_action("my_numbers_page_next", user=ADMIN)
    view = world.view(ADMIN, callback_id="my_numbers", contains="Numbers 11–11 of 11")
    assert str(view["blocks"]).count("'action_id': 'number_cancel'") == 1
    world.driver.block_action("my_numbers_page_prev", user=ADMIN)
    world.view(ADMIN, callback_id="my_numbers", contains="Numbers 1–10 of 11")

    world.driver.slash_command("/resource", f"my-numbers +{stock[3]['number']}", user=ADMIN, channel=CHANNEL)
    view = world.view(ADMIN, callback_id="my_numbers", contains="containing")
    assert "1 number." in str(view["blocks"]) and stock[3]["numberKey"] in str(view["blocks"])
    world.driver.slash_command("/resource", "my-numbers 99999999", user=ADMIN, channel=CHANNEL)
    world.view(ADMIN, callback_id="my_numbers", contains="No number of the account contains 99999999")


def test_offer_rows_have_unique_block_ids_even_when_rows_share_a_key():
    from bot.providers.infobip.models import NumberList
    from bot.slack.numbers.metadata import SearchState
    from bot.slack.numbers.views import search_view

    twin = {"numberKey": "K1", "number": "447700900123", "country": "GB", "type": "VIRTUAL_LONG_NUMBER"}
    result = NumberList.model_validate({"numbers": [twin, twin, {"number": "447700900124"}, {}, {}], "numberCount": 5})
    view = search_view(SearchState(country="GB"), result, can_buy=True, managers=[ADMIN])
    ids = [b["block_id"] for b in view["blocks"] if "block_id" in b]
    assert len(ids) == len(set(ids)) and len(offers(view)) == 5
    assert [key_of(r) for r in offers(view)] == ["K1", "K1", "447700900124", "", ""]
