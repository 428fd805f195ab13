"""The approvers' one reminder halfway to an approval's expiry, over real HTTP with the movable
clock: in each approver's DM, or as a reply in the approval channel's thread; once, however many
passes (or replicas) look for it; none once the approval is decided."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest

from bot.store.approvals import remind_due, waiting_approvals
from bot.store.db import connect
from tests.e2e.test_approvals_slack import APPROVERS, ask_to_buy, audit, click, request_message, told
from tests.e2e.test_numbers_slack import owned
from tests.e2e.test_request_approvals_slack import ask_for_numbers
from tests.support.names import ADMIN, ALICE, BOB, CHANNEL


def reminders(world, channel: str, thread_ts: str | None = None) -> list[dict]:
    messages = world.slack.thread(channel, thread_ts)[1:] if thread_ts else world.slack.messages(channel)
    return [m for m in messages if "Reminder:" in str(m.get("blocks"))]


def settle(world, ticks: float = 0.5) -> None:
    """Let the job's 0.1 s tick run a few times, then the outbox drain."""
    time.sleep(ticks)
    world.wait_idle()


@pytest.mark.world(resourcebot_approvers=APPROVERS, reminder_tick_seconds=0.1, resourcebot_approval_expires_hours=72)
def test_approvers_are_reminded_once_halfway_to_the_expiry(world):
    key = ask_to_buy(world)
    message = request_message(world, BOB)
    bob_dm, ada_dm = world.slack.dm_channel(BOB), world.slack.dm_channel(ADMIN)
    world.services.clock.advance(timedelta(hours=35))
    settle(world)
    assert reminders(world, bob_dm) == [] and audit(world, "approval.reminded") == []
    world.services.clock.advance(timedelta(hours=2))  # 37 of 72 hours: past halfway
    [reminder] = world.wait(lambda: reminders(world, bob_dm), what="the reminder in Bob's DM")
    text = str(reminder["blocks"])
    assert f"<@{ADMIN}> still waits" in text and "+44" in text and "expires at" in text
    assert "approval_approve" not in text  # the buttons stay on the request itself
    world.services.clock.advance(timedelta(hours=30))  # later passes, still before the expiry
    settle(world)
    assert len(reminders(world, bob_dm)) == 1
    assert reminders(world, ada_dm) == []  # the requester decides nothing: no reminder
    [reminded] = audit(world, "approval.reminded")
    assert reminded.actor == "reminder" and reminded.details["requester"] == ADMIN
    # The request's own buttons still decide.
    click(world, "approval_approve", BOB, message, bob_dm)
    told(world, BOB, bob_dm, "Approved")
    assert key in owned(world)
    settle(world)
    assert len(reminders(world, bob_dm)) == 1
    assert [e.action for e in audit(world, "approval.")] == [
        "approval.requested",
        "approval.reminded",
        "approval.approved",
    ]


@pytest.mark.world(resourcebot_approvers=APPROVERS, resourcebot_approval_channel=CHANNEL)
def test_two_replicas_remind_once_in_the_approval_channels_thread(world):
    ask_to_buy(world)
    message = world.wait(
        lambda: next((m for m in world.slack.messages(CHANNEL) if "approval_approve" in str(m.get("blocks"))), None),
        what="the approval request in the approval channel",
    )
    [approval] = waiting_approvals(world.services.db)
    # The job's tick is a minute here: the test's two "replicas" (connections of their own) look at once.
    world.services.clock.advance(timedelta(hours=40))
    now = world.services.clock.now()
    go, found = threading.Barrier(2), []

    def replica() -> None:
        db = connect(world.services.settings.resourcebot_db)
        try:
            go.wait()
            found.append(remind_due(db, now))
        finally:
            db.conn.close()

    threads = [threading.Thread(target=replica) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(len(f) for f in found) == [0, 1] and [a.key for f in found for a in f] == [approval.key]
    world.services.outbox.wake()
    [reminder] = world.wait(lambda: reminders(world, CHANNEL, message["ts"]), what="the reply in the thread")
    assert "top of this thread" in str(reminder["blocks"])
    db = connect(world.services.settings.resourcebot_db)
    try:
        assert remind_due(db, now + timedelta(hours=1)) == []  # a later pass: none
    finally:
        db.conn.close()
    world.wait_idle()
    assert len(reminders(world, CHANNEL, message["ts"])) == 1
    assert [m for m in world.slack.messages(CHANNEL) if "Reminder:" in str(m.get("blocks"))] == []  # a reply only
    assert len(audit(world, "approval.reminded")) == 1


@pytest.mark.world(
    resourcebot_approvers=f"{APPROVERS},S0APPROVERS", resourcebot_approval_channel=CHANNEL, reminder_tick_seconds=0.1
)
def test_a_reminder_in_the_approval_channel_mentions_the_approvers_and_names_the_kind(world):
    world.slack.add_usergroup("S0APPROVERS", [])
    request = ask_for_numbers(world)
    message = world.wait(
        lambda: next((m for m in world.slack.messages(CHANNEL) if "approval_approve" in str(m.get("blocks"))), None),
        what="the approval request in the approval channel",
    )
    world.services.clock.advance(timedelta(hours=40))
    [reminder] = world.wait(lambda: reminders(world, CHANNEL, message["ts"]), what="the reply in the thread")
    text = str(reminder["blocks"])
    # A reply notifies nobody by itself: the approvers are mentioned (the requester, Alice, is not one).
    assert f"<@{ADMIN}>" in text and f"<@{BOB}>" in text and "<!subteam^S0APPROVERS>" in text
    assert f"<@{ALICE}> still waits for a decision: asks Infobip for *2 × 10DLC" in text
    assert "buying" not in text
    thread = world.request(request.id)
    assert f"<{thread.permalink}|Open the thread>" in text
