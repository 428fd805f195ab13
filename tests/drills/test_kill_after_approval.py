"""Drill: an approved purchase, and the bot (a real `python -m bot serve`) killed with `kill -9`
between the approval and Infobip's answer to the purchase it started; restarted on the same
database, the purchase is performed (recorded, announced, told) exactly once.

Placed, not timed, as in test_kill_mid_action.py: the sandbox holds the purchase call the approval
started. `held`: the bot dies with the call held, the sandbox then processes it (Infobip bought the
number, the bot never heard). `answered`: Infobip answers while another process holds the
database's write lock, so the bot cannot commit what it heard; it dies there. Recovery after the
restart reads Infobip and finishes it: one number, one audit entry, the approval message saying
who approved, one DM to the requester. (An approval cut off before its call was even sent is
performed by recovery after the restart: tests/e2e/test_approvals_slack.py.)
"""

from __future__ import annotations

import pytest

from tests.drills.test_kill_mid_action import ADMIN, CHANNEL, Stage, kill_at, owned_keys, settled, stage, text_of
from tests.support.waiting import wait_until

BOB = "U0BOB00001"  # the approver
__all__ = ["stage"]  # the fixture, shared with the other kill drill


def ask_for_approval(stage: Stage) -> tuple[str, dict]:
    """Ada confirms the Buy of a GB number; returns its key and the approval request in Bob's DM."""
    assert stage.driver
    stage.driver.slash_command("/resource", "numbers GB SMS", user=ADMIN, channel=CHANNEL)
    search = stage.view(ADMIN, "offer:0:")
    row = next(b for b in search["blocks"] if str(b.get("block_id", "")).startswith("offer:"))
    stage.driver.block_action("number_buy", user=ADMIN, block_id=row["block_id"])
    stage.view(ADMIN, "Ask for approval")
    assert stage.driver.submit_view({"reason": "drill"}, user=ADMIN).status == 200
    stage.view(ADMIN, "waits for approval")
    dm = stage.slack.dm_channel(BOB)
    message = wait_until(
        lambda: next((m for m in stage.slack.messages(dm) if "approval_approve" in text_of(m)), None),
        20,
        "the approval request in Bob's DM",
    )
    return row["block_id"].split(":", 2)[2], message


@pytest.mark.parametrize("point", ("held", "answered"))
def test_an_approved_purchase_cut_off_by_a_kill_is_performed_once_after_the_restart(stage, point):
    assert stage.bot is not None and stage.driver is not None
    stage.slack.add_user(BOB, "bob")
    stage.bot.stop()
    stage.env.update(RESOURCEBOT_APPROVERS=f"{ADMIN},{BOB}")
    stage.start_bot()
    number_key, message = ask_for_approval(stage)
    stage.hold("purchase-number")
    dm = stage.slack.dm_channel(BOB)
    stage.driver.block_action("approval_approve", user=BOB, channel=dm, message_ts=message["ts"])
    kill_at(stage, point, "purchase-number")
    settled(stage)
    assert number_key in owned_keys(stage)
    assert stage.sandbox.calls["purchase-number"] == 1
    assert [e.details["numberKey"] for e in stage.audit("number.purchase")] == [number_key]
    assert [e.action for e in stage.audit("approval.")] == ["approval.requested", "approval.approved"]
    assert len(stage.dms(ADMIN, "went through")) == 1
    assert "Approved by" in text_of(stage.slack.message(dm, message["ts"]) or {})
    assert len([m for m in stage.posted(number_key) if "bought" in text_of(m)]) == 1  # announced once
