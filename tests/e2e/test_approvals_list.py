"""`/resource approvals` over real HTTP: what waits for the person — for an approver, the
purchases they may decide (never their own), with the approval message's Approve and Deny and a
link to it; for a requester, theirs waiting for a decision. A decision made there is the same
decision as in the message: bought once, the list shown again with its outcome."""

from __future__ import annotations

import pytest

from tests.e2e.test_approvals_slack import APPROVERS, CAROL, ask_to_buy, audit, dm_saying, request_message
from tests.e2e.test_numbers_slack import owned
from tests.support.names import ADMIN, BOB, CHANNEL


def open_approvals(world, user: str, contains: str) -> dict:
    ack = world.driver.slash_command("/resource", "approvals", user=user, channel=CHANNEL)
    assert ack.status == 200 and ack.in_time
    return world.view(user, callback_id="approvals", contains=contains)


@pytest.mark.world(resourcebot_approvers=APPROVERS)
def test_an_approver_decides_from_the_list_and_the_requester_sees_theirs_waiting(world):
    world.slack.add_user(CAROL, "carol")
    key = ask_to_buy(world)
    message = request_message(world, BOB)
    world.wait_idle()  # posted, and its permalink kept
    bob_dm = world.slack.dm_channel(BOB)
    permalink = f"/archives/{bob_dm}/p{message['ts'].replace('.', '')}"

    listed = open_approvals(world, BOB, "To decide")
    text = str(listed["blocks"])
    assert "To decide (1)" in text and f"<@{ADMIN}> asks to buy" in text and "First month" in text
    assert "&lt;!channel&gt; support line &amp; more" in text and "<!channel>" not in text
    assert "approval_approve" in text and "approval_deny" in text
    assert f"{permalink}|Open the thread>" in text and "Waiting for approval*" not in text

    # The requester sees theirs waiting, without buttons: they don't decide on their own purchase.
    mine = str(open_approvals(world, ADMIN, "Waiting for approval")["blocks"])
    assert "To decide" not in mine and "approval_approve" not in mine and "+44" in mine and "expires" in mine
    assert "Open the thread>" in mine
    # Someone neither asking nor deciding: nothing waits.
    assert "Nothing waits for you" in str(open_approvals(world, CAROL, "Nothing waits")["blocks"])

    block = next(b["block_id"] for b in listed["blocks"] if b["type"] == "actions")
    assert world.driver.block_action("approval_approve", user=BOB, view_id=listed["id"], block_id=block).status == 200
    after = world.view(BOB, callback_id="approvals", contains="Approved")
    assert "is the account's now" in str(after["blocks"]) and "Nothing waits for you" in str(after["blocks"])
    assert key in owned(world)
    dm_saying(world, ADMIN, "went through")
    world.wait(lambda: "Approved by" in str(world.slack.message(bob_dm, message["ts"])["blocks"]), what="DM updated")
    world.wait_idle()
    assert [e.details["numberKey"] for e in audit(world, "number.purchase")] == [key]


@pytest.mark.world(resourcebot_approvers=APPROVERS, resourcebot_approval_channel=CHANNEL)
def test_a_denial_from_the_list_asks_why_and_shows_the_list_again(world):
    key = ask_to_buy(world)
    message = world.wait(
        lambda: next((m for m in world.slack.messages(CHANNEL) if "approval_approve" in str(m.get("blocks"))), None),
        what="the approval request in the approval channel",
    )
    world.wait_idle()  # its permalink kept
    listed = open_approvals(world, BOB, "To decide")
    assert f"/archives/{CHANNEL}/p{message['ts'].replace('.', '')}|Open the thread>" in str(listed["blocks"])
    block = next(b["block_id"] for b in listed["blocks"] if b["type"] == "actions")
    world.driver.block_action("approval_deny", user=BOB, view_id=listed["id"], block_id=block)
    world.view(BOB, callback_id="approval_deny_reason")  # pushed over the list
    assert not world.driver.submit_view({"reason": "Not <now> & not here"}, user=BOB).errors
    world.view(BOB, contains="Denied by")
    relisted = world.wait(
        lambda: next(
            (v for v in world.slack.view_stack(BOB) if v.get("callback_id") == "approvals" and "Denied by" in str(v)),
            None,
        ),
        what="the list shown again under the outcome",
    )
    text = str(relisted["blocks"])
    assert "Not &lt;now&gt; &amp; not here" in text and "Nothing waits for you" in text
    said = dm_saying(world, ADMIN, "was denied")
    assert "Not &lt;now&gt; &amp; not here" in said
    world.wait_idle()
    assert key not in owned(world) and audit(world, "number.") == []
    assert [e.action for e in audit(world, "approval.")] == ["approval.requested", "approval.denied"]
