"""Drill: the same action arriving many times at once, and again later (bot/usecases/).

A double click, a flaky network, Slack's client resending, someone replaying a captured request:
20 copies of one signed payload are sent at the same moment, then the same payload again with
and without `X-Slack-Retry-Num`. Each time, exactly one call reaches the provider, one record,
one audit entry and one message are made, and every copy is answered with the one true outcome.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from bot.sandbox.slack.driver import BotResponse, SlackDriver
from bot.store.audit import list_audit
from tests.e2e.provisioning_support import own_number, provisioning
from tests.support.names import ADMIN, ALICE, CHANNEL
from tests.support.world import block_text

COPIES = 20
RETRY = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}


def storm(driver: SlackDriver, payload: dict, copies: int = COPIES) -> list[BotResponse]:
    """`copies` of one payload, all in flight at once."""
    with ThreadPoolExecutor(copies) as pool:
        return list(pool.map(lambda _: driver.interact(payload), range(copies)))


def slack_writes(world) -> int:
    """Messages the bot has posted or shown anywhere (channels, threads, DMs, ephemeral)."""
    return sum(len(world.slack.calls(method)) for method in ("chat.postMessage", "chat.postEphemeral"))


def replayed_changes_nothing(world, payload: dict, operation: str) -> list[BotResponse]:
    """The payload again, as a replay and as a Slack retry: no provider call, no new message."""
    world.wait_idle()
    calls, writes = world.sandbox.calls[operation], slack_writes(world)
    answers = [world.driver.interact(payload), world.driver.interact(payload, headers=RETRY)]
    assert all(a.status == 200 and a.in_time for a in answers)
    world.wait_idle()
    assert world.sandbox.calls[operation] == calls
    assert slack_writes(world) == writes
    return answers


def answered_with(responses: list[BotResponse], working: str, outcome: str) -> None:
    """Each copy was acked in time with the working view (later updated) or with the outcome."""
    for response in responses:
        assert response.status == 200 and response.in_time, response.text
        shown = response.text
        assert working in shown or outcome in shown, shown[:300]


def test_one_request_form_submitted_twenty_times_makes_one_request(world):
    world.driver.slash_command("/resource", "number GB VIRTUAL_LONG_NUMBER", user=ALICE, channel=CHANNEL)
    world.view(ALICE, callback_id="request_form")
    payload = world.driver.view_submission_payload({}, user=ALICE)

    responses = storm(world.driver, payload)
    [request] = world.wait(lambda: [r for r in world.requests() if r.thread_ts], what="the request's thread")
    assert world.sandbox.calls["submit-resource-request"] == 1
    assert len(world.sandbox.requests.lifecycle.requests) == 1
    answered_with(responses, "Submitting to Infobip", request.id)
    assert request.id in str(world.view(ALICE, contains="was submitted")["blocks"])
    world.wait_idle()
    roots = [m for m in world.slack.messages(CHANNEL) if request.id in block_text(m)]
    assert len(roots) == 1

    for answer in replayed_changes_nothing(world, payload, "submit-resource-request"):
        assert request.id in answer.text  # the first one's outcome
    assert len(world.requests()) == 1
    [entry] = list_audit(world.services.db, action_prefix="request.submit")
    assert entry.actor == ALICE and entry.target == request.id


def _buy_confirmation(world) -> tuple[dict, str]:
    world.driver.slash_command("/resource", "numbers GB SMS", user=ADMIN, channel=CHANNEL)
    search = world.view(ADMIN, callback_id="numbers_search", contains="Numbers on offer")
    row = next(b for b in search["blocks"] if str(b.get("block_id", "")).startswith("offer:"))
    world.driver.block_action("number_buy", user=ADMIN, block_id=row["block_id"])
    world.view(ADMIN, callback_id="number_buy_confirm")
    return world.driver.view_submission_payload({}, user=ADMIN), row["block_id"].split(":", 2)[2]


def test_one_buy_confirmation_sent_twenty_times_buys_once_and_says_so(world):
    payload, number_key = _buy_confirmation(world)
    responses = storm(world.driver, payload)
    world.view(ADMIN, contains="is yours")
    answered_with(responses, "Buying", "is yours")
    assert world.sandbox.calls["purchase-number"] == 1
    assert number_key in {n["numberKey"] for n in world.sandbox_admin.get("/numbers/owned").json()["numbers"]}
    world.wait_idle()
    notices = [m for m in world.slack.messages(CHANNEL) if number_key in block_text(m)]
    assert len(notices) == 1 and "bought" in block_text(notices[0])
    [entry] = list_audit(world.services.db, action_prefix="number.purchase")
    assert entry.details["numberKey"] == number_key

    for answer in replayed_changes_nothing(world, payload, "purchase-number"):
        assert "is yours" in answer.text  # never "no longer on offer" for a number that was bought
    assert len(list_audit(world.services.db, action_prefix="number.purchase")) == 1


def test_one_cancel_click_delivered_twenty_times_cancels_once(world):
    request = world.new_request("number GB VIRTUAL_LONG_NUMBER")
    request = world.ask_for_changes(request, "quantity")
    reply = world.thread(request)[-1]
    payload = world.driver.block_action_payload(
        "request_cancel", user=ALICE, channel=request.channel, message_ts=reply["ts"]
    )
    responses = storm(world.driver, payload)
    assert all(r.status == 200 and r.in_time for r in responses)
    world.wait(lambda: world.request(request.id).status == "CANCELED", what="the request canceled")
    world.wait_idle()
    assert world.sandbox.calls["cancel-resource-request"] == 1
    assert world.sandbox_request(request)["status"] == "CANCELED"
    canceled = [m for m in world.thread(request) if "canceled the request" in block_text(m)]
    assert len(canceled) == 1
    assert not [m for m in world.slack.ephemeral(request.channel, ALICE) if "Could not cancel" in str(m)]
    replayed_changes_nothing(world, payload, "cancel-resource-request")


def test_a_second_click_while_a_cancel_is_under_way_says_so_and_sends_nothing(world):
    request = world.ask_for_changes(world.new_request("number GB VIRTUAL_LONG_NUMBER"), "quantity")
    reply = world.thread(request)[-1]
    world.sandbox_fault(operation_id="cancel-resource-request", delay=1.0)
    first = world.driver.block_action_payload(
        "request_cancel", user=ALICE, channel=request.channel, message_ts=reply["ts"]
    )
    second = dict(first, actions=[{**first["actions"][0], "action_ts": "1.000001"}])  # another click
    with ThreadPoolExecutor(2) as pool:
        sent = pool.submit(world.driver.interact, first)
        world.wait(lambda: world.sandbox.calls["cancel-resource-request"] == 1, what="the first cancel at Infobip")
        assert world.driver.interact(second).status == 200
        assert sent.result().status == 200
    told = world.wait(
        lambda: [m for m in world.slack.ephemeral(request.channel, ALICE) if "right now" in str(m)],
        what="the second click answered",
    )
    assert "nothing more was sent" in str(told[0])
    world.wait(lambda: world.request(request.id).status == "CANCELED", what="the request canceled")
    assert world.sandbox.calls["cancel-resource-request"] == 1


def test_one_number_cancellation_confirmed_twenty_times_cancels_once(world):
    bought = own_number(world, "GB")
    world.driver.slash_command("/resource", "my-numbers", user=ADMIN, channel=CHANNEL)
    world.view(ADMIN, callback_id="my_numbers", contains=bought["numberKey"])
    world.driver.block_action("number_cancel", user=ADMIN, block_id=f"owned:{bought['numberKey']}")
    world.view(ADMIN, callback_id="number_cancel_confirm")
    payload = world.driver.view_submission_payload({}, user=ADMIN)

    responses = storm(world.driver, payload)
    world.view(ADMIN, contains="is cancelled")
    answered_with(responses, "Cancelling", "is cancelled")
    assert world.sandbox.calls["cancel-number"] == 1
    world.wait_idle()
    assert len([m for m in world.slack.messages(CHANNEL) if "cancelled" in block_text(m)]) == 1
    assert len(list_audit(world.services.db, action_prefix="number.cancel")) == 1
    for answer in replayed_changes_nothing(world, payload, "cancel-number"):
        assert "is cancelled" in answer.text


def test_one_association_submitted_twenty_times_is_created_once(world):
    bought = own_number(world, "GB")
    world.driver.slash_command("/resource", "associate", user=ADMIN, channel=CHANNEL)
    world.view(ADMIN, callback_id="association_create", contains="channel.NUMBER")
    payload = world.driver.view_submission_payload(
        {"resource.NUMBER": bought["numberKey"], "channel.NUMBER": "SMS", "applicationId": "default"}, user=ADMIN
    )
    responses = storm(world.driver, payload)
    # Twenty submissions each look up applications and entities first: the sandbox answers some of
    # them 429 and the client waits a second per retry, so the outcome may take longer than 10 s.
    world.view(ADMIN, contains="Associated", timeout=30)
    answered_with(responses, "Creating the association", "Associated")
    assert world.sandbox.calls["create-resource-association"] == 1
    assert len(provisioning(world)["associations"]) == 1
    world.wait_idle()
    assert len([m for m in world.slack.messages(CHANNEL) if "associated the number" in block_text(m)]) == 1
    assert len(list_audit(world.services.db, action_prefix="association.create")) == 1
    for answer in replayed_changes_nothing(world, payload, "create-resource-association"):
        assert "Associated" in answer.text


def test_an_event_retried_by_slack_is_handled_once(world):
    event = {
        "type": "app_home_opened",
        "user": ALICE,
        "channel": world.slack.dm_channel(ALICE),
        "tab": "home",
        "event_ts": "1700000000.000100",
    }
    first = world.driver.send_event(event, event_id="Ev0RETRY0001")
    world.wait(lambda: world.slack.calls("views.publish"), what="the Home published")
    retries = [world.driver.send_event(event, event_id="Ev0RETRY0001", retry_num=n) for n in (1, 2)]
    replay = world.driver.send_event(event, event_id="Ev0RETRY0001")
    assert all(r.status == 200 and r.in_time for r in [first, *retries, replay])
    world.wait_idle()
    assert len(world.slack.calls("views.publish")) == 1
    world.driver.send_event(event, event_id="Ev0RETRY0002")  # another event is handled as usual
    world.wait(lambda: len(world.slack.calls("views.publish")) == 2, what="the second Home published")
