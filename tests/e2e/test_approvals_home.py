"""The App Home and approvals over real HTTP: a requester's purchases waiting for approval are a
"Waiting for approval" group of their requests; an approver's Home starts with "To decide", the
approval message's buttons included. Both Homes are published again when an approval is asked for,
decided or expires, without anyone opening them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.e2e.test_approvals_slack import APPROVERS, CAROL, ask_to_buy, audit, dm_saying, request_message
from tests.e2e.test_numbers_slack import owned
from tests.support.names import ADMIN, BOB
from tests.support.world import block_text


def home(world, user: str) -> str:
    return block_text(world.slack.home_view(user))


def home_saying(world, user: str, words: str, present: bool = True) -> dict:
    return world.wait(
        lambda: (words in home(world, user)) == present and world.slack.home_view(user),
        what=f"{user}'s Home {'with' if present else 'without'} {words!r}",
    )


@pytest.mark.world(resourcebot_approvers=APPROVERS)
def test_the_homes_show_what_waits_and_an_approval_from_the_home_is_bought_once(world):
    world.slack.add_user(CAROL, "carol")
    for user in (ADMIN, BOB, CAROL):  # each has seen their Home once: nothing waits
        world.driver.open_home(user=user)
        home_saying(world, user, "My requests")
    assert "To decide" not in home(world, BOB) and "Waiting for approval" not in home(world, ADMIN)
    key = ask_to_buy(world)
    message = request_message(world, BOB)
    # Published again on the request, without anyone opening the tab.
    home_saying(world, BOB, "To decide (1)")
    bob_home = home_saying(world, BOB, "Open the thread>")  # once the request's message is posted
    text = str(bob_home["blocks"])
    assert f"<@{ADMIN}> asks to buy" in text and "&lt;!channel&gt; support line &amp; more" in text
    assert "approval_approve" in text and "approval_deny" in text and "Open the thread>" in text
    assert text.index("To decide") < text.index("My requests")  # what to do first
    ada = str(home_saying(world, ADMIN, "Waiting for approval")["blocks"])
    assert "+44" in ada and "expires" in ada and "To decide" not in ada and "approval_approve" not in ada
    assert ada.index("My requests") < ada.index("Waiting for approval")  # a group of their requests
    assert "To decide" not in home(world, CAROL) and "Waiting for approval" not in home(world, CAROL)

    block = next(b["block_id"] for b in bob_home["blocks"] if b["type"] == "actions")
    assert world.driver.block_action("approval_approve", user=BOB, view_id=bob_home["id"], block_id=block).status == 200
    after = home_saying(world, BOB, "is the account's now")
    assert "To decide" not in str(after["blocks"])
    home_saying(world, ADMIN, "Waiting for approval", present=False)
    assert key in owned(world)
    dm_saying(world, ADMIN, "went through")
    bob_dm = world.slack.dm_channel(BOB)
    world.wait(lambda: "Approved by" in str(world.slack.message(bob_dm, message["ts"])["blocks"]), what="DM updated")
    world.wait_idle()
    assert [e.details["numberKey"] for e in audit(world, "number.purchase")] == [key]
    assert "To decide" not in home(world, BOB) and "Waiting for approval" not in home(world, ADMIN)


@pytest.mark.world(resourcebot_approvers=APPROVERS)
def test_a_denial_from_the_home_clears_both_homes(world):
    ask_to_buy(world)
    bob_home = home_saying(world, BOB, "To decide (1)")
    home_saying(world, ADMIN, "Waiting for approval")
    block = next(b["block_id"] for b in bob_home["blocks"] if b["type"] == "actions")
    world.driver.block_action("approval_deny", user=BOB, view_id=bob_home["id"], block_id=block)
    world.view(BOB, callback_id="approval_deny_reason")
    assert not world.driver.submit_view({"reason": "Enough numbers"}, user=BOB).errors
    world.view(BOB, contains="Denied by")
    home_saying(world, BOB, "To decide", present=False)
    home_saying(world, ADMIN, "Waiting for approval", present=False)
    dm_saying(world, ADMIN, "was denied")


@pytest.mark.world(resourcebot_approvers=APPROVERS, reminder_tick_seconds=0.1, resourcebot_approval_expires_hours=72)
def test_an_expired_approval_leaves_both_homes(world):
    ask_to_buy(world)
    home_saying(world, BOB, "To decide (1)")
    home_saying(world, ADMIN, "Waiting for approval")
    world.services.clock.advance(timedelta(hours=73))
    dm_saying(world, ADMIN, "expired")
    home_saying(world, BOB, "To decide", present=False)
    home_saying(world, ADMIN, "Waiting for approval", present=False)
    world.wait_idle()
    assert [e.action for e in audit(world, "approval.")] == ["approval.requested", "approval.expired"]
