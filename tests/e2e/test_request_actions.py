"""The Update / Cancel buttons on a request's thread (who may use them, and when) and the
reminders Infobip sends while a request waits for its requester."""

from __future__ import annotations

from tests.support.names import ADMIN, ALICE, BOB, CHANNEL
from tests.support.world import BOTH_TRANSPORTS, block_text

pytestmark = BOTH_TRANSPORTS  # the same request flow over HTTP and over Socket Mode

GB_NUMBER = "number GB VIRTUAL_LONG_NUMBER"


def waiting_for_update(world):
    """A request the reviewer sent back to Alice: UPDATE_REQUESTED, buttons on root and reply."""
    request = world.new_request(GB_NUMBER)
    request = world.ask_for_changes(request, "quantity", "Two numbers would suit you better.")
    assert request.status == "UPDATE_REQUESTED"
    assert "request_cancel" in world.root_text(request)
    return request


def ephemerals(world, user: str, count: int) -> list[dict] | None:
    found = world.slack.ephemeral(CHANNEL, user)
    return found if len(found) == count else None


def sandbox_status(world, request) -> str:
    return world.sandbox_request(request)["status"]


def test_requester_cancels_a_request_waiting_for_an_update(world):
    request = waiting_for_update(world)
    world.driver.block_action("request_cancel", request.id, user=ALICE, channel=CHANNEL, message_ts=request.thread_ts)
    world.wait(lambda: sandbox_status(world, request) == "CANCELED", what="the sandbox to show CANCELED")
    thread = world.wait_thread(request.id, 3)
    assert "canceled" in block_text(thread[2]) and f"<@{ALICE}>" in block_text(thread[2])
    world.wait_idle()
    root = world.root_text(request)
    assert "Canceled" in root and "request_update" not in root and "request_cancel" not in root
    assert world.request(request.id).status == "CANCELED"
    assert world.slack.ephemeral(CHANNEL, ALICE) == []


def test_a_colleague_may_not_update_or_cancel_but_an_admin_may_cancel(world):
    request = waiting_for_update(world)
    replies_before = len(world.thread(request))
    for action in ("request_update", "request_cancel"):
        answer = world.driver.block_action(action, request.id, user=BOB, channel=CHANNEL, message_ts=request.thread_ts)
        assert answer.status == 200
    refusals = world.wait(lambda: ephemerals(world, BOB, 2), what="two ephemeral refusals for Bob")
    for refusal in refusals:
        assert f"Only <@{ALICE}>" in refusal["text"] and request.id in refusal["text"]
    assert world.slack.current_view(BOB) is None  # no update form opened
    assert sandbox_status(world, request) == "UPDATE_REQUESTED"
    assert world.request(request.id).status == "UPDATE_REQUESTED"
    assert len(world.thread(request)) == replies_before

    world.driver.block_action("request_cancel", request.id, user=ADMIN, channel=CHANNEL, message_ts=request.thread_ts)
    world.wait(lambda: sandbox_status(world, request) == "CANCELED", what="the admin's cancel in the sandbox")
    thread = world.wait_thread(request.id, replies_before + 1)
    assert f"<@{ADMIN}> canceled" in block_text(thread[-1])
    assert world.slack.ephemeral(CHANNEL, ADMIN) == []


def test_a_button_left_on_an_older_message_explains_why_it_no_longer_works(world):
    request = waiting_for_update(world)
    old_reply = world.thread(request)[1]
    assert "request_update" in block_text(old_reply)
    world.reviewer(request, "complete")
    world.wait_thread(request.id, 3)
    world.wait_idle()

    for action in ("request_update", "request_cancel"):
        world.driver.block_action(action, request.id, user=ALICE, channel=CHANNEL, message_ts=old_reply["ts"])
    answers = world.wait(lambda: ephemerals(world, ALICE, 2), what="two ephemeral explanations for Alice")
    for answer in answers:
        assert "*Completed*" in answer["text"] and "only while an update is requested" in answer["text"]
    assert world.slack.current_view(ALICE) is None
    assert sandbox_status(world, request) == "COMPLETED"
    assert world.request(request.id).status == "COMPLETED"


def test_reminder_after_three_idle_days_goes_to_the_thread_and_to_the_requester(world):
    request = waiting_for_update(world)
    replies_before = len(world.thread(request))
    response = world.sandbox_admin.post("/clock/advance", json={"days": 3})
    assert response.status_code == 200, response.text
    thread = world.wait_thread(request.id, replies_before + 1)
    reminder = block_text(thread[-1])
    assert f"<@{ALICE}>" in reminder and "27 days" in reminder
    dm = world.slack.dm_channel(ALICE)
    [direct] = world.wait(lambda: world.slack.messages(dm), what="a DM to the requester")
    assert "27 days" in block_text(direct) + direct["text"] and request.id in direct["text"]
    world.wait_idle()
    assert len(world.thread(request)) == replies_before + 1  # one reminder, posted once
    assert world.request(request.id).status == "UPDATE_REQUESTED"
