"""Approvals for purchases over real HTTP: a Buy confirmed while approvers are set waits for a
decision instead of reaching Infobip; approved it is bought once, denied (with a reason) or expired
nothing is bought, and the requester is told by DM. Only approvers decide, never on their own
purchase; the first decision wins, however many clicks come at once; an approval cut off by a
restart before the call is still performed, once."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import threading
from datetime import timedelta

import pytest

from bot.slack.spend.load import pending_purchases
from bot.store.audit import list_audit
from bot.store.db import connect
from tests.e2e.test_numbers_slack import ROOT, key_of, offers, owned, search
from tests.e2e.test_spend_slack import open_spend
from tests.support.names import ADMIN, BOB, CHANNEL

CAROL = "U0CAROL001"  # a second approver
APPROVERS = f"{ADMIN},{BOB}"


def audit(world, action: str) -> list:
    return list_audit(world.services.db, action_prefix=action)


def ask_to_buy(world, reason: str | None = "For the <!channel> support line & more") -> str:
    """Ada confirms the Buy of the first GB number on offer; returns its key once it waits."""
    row = offers(search(world, "GB SMS"))[0]
    key = key_of(row)
    world.driver.block_action("number_buy", user=ADMIN, block_id=row["block_id"])
    confirm = world.view(ADMIN, callback_id="number_buy_confirm")
    assert confirm["submit"]["text"] == "Ask for approval" and "decide" in str(confirm["blocks"])
    submitted = world.driver.submit_view({"reason": reason} if reason else {}, user=ADMIN)
    assert submitted.status == 200 and not submitted.errors
    waiting = str(world.view(ADMIN, contains="waits for approval")["blocks"])
    assert "Nothing is bought until then" in waiting
    assert key not in owned(world)
    return key


def request_message(world, user: str) -> dict:
    """The approval request in `user`'s DM with the bot, with its buttons."""
    dm = world.slack.dm_channel(user)
    return world.wait(
        lambda: next((m for m in world.slack.messages(dm) if "approval_approve" in str(m.get("blocks"))), None),
        what=f"the approval request in {user}'s DM",
    )


def click(world, action: str, user: str, message: dict, channel: str) -> dict:
    """`user` clicks `action` in `message`; returns the payload, to replay it (as a captured request)."""
    payload = world.driver.block_action_payload(action, user=user, channel=channel, message_ts=message["ts"])
    response = world.driver.interact(payload)
    assert response.status == 200 and response.in_time
    return payload


def replay(world, payload: dict) -> None:
    assert world.driver.interact(payload).status == 200


def told(world, user: str, channel: str, words: str) -> str:
    return world.wait(
        lambda: next((m["text"] for m in world.slack.ephemeral(channel, user) if words in m.get("text", "")), None),
        what=f"{user} told {words!r}",
    )


def dm_saying(world, user: str, words: str) -> str:
    dm = world.slack.dm_channel(user)
    return world.wait(
        lambda: next((str(m) for m in world.slack.messages(dm) if words in str(m.get("blocks"))), None),
        what=f"a DM to {user} saying {words!r}",
    )


@pytest.mark.world(resourcebot_approvers=APPROVERS)
def test_an_approved_purchase_is_bought_once_and_everyone_sees_who_approved(world):
    key = ask_to_buy(world)
    # The approver is asked by DM: who, what, where, why (escaped), the cost, the buttons.
    message = request_message(world, BOB)
    text = str(message["blocks"])
    assert f"<@{ADMIN}> asks to buy" in text and "United Kingdom" in text and f"<#{CHANNEL}>" in text
    assert "&lt;!channel&gt; support line &amp; more" in text and "<!channel>" not in text
    assert "First month" in text and "every month" in text and "Waiting for approval" in text
    # The channel where purchases are announced shows it as pending, without buttons; Ada gets no request.
    pending = world.wait(
        lambda: next((m for m in world.slack.messages(CHANNEL) if "asks to buy" in str(m.get("blocks"))), None),
        what="the pending purchase in the channel",
    )
    assert "approval_approve" not in str(pending["blocks"])
    # The approver's message links to that announcement (where the purchase is followed).
    assert f"/archives/{CHANNEL}/p{pending['ts'].replace('.', '')}|Open the thread>" in text
    assert not [m for m in world.slack.messages(world.slack.dm_channel(ADMIN)) if "approval_approve" in str(m)]
    # What waits shows in the spend report's pending costs.
    [cost] = pending_purchases(world.services.db)
    assert cost.monthly is not None and cost.currency == "EUR" and "+44" in cost.what
    report = str(open_spend(world, contains="Waiting for approval")["blocks"])
    assert f"Waiting for approval:* {cost.monthly:.2f} EUR a month" in report and cost.what in report

    dm = world.slack.dm_channel(BOB)
    approval = click(world, "approval_approve", BOB, message, dm)
    told(world, BOB, dm, "Approved")
    assert key in owned(world)
    updated = world.wait(
        lambda: (m := world.slack.message(dm, message["ts"])) and "Approved by" in str(m["blocks"]) and m,
        what="the request updated",
    )
    assert f"Approved by <@{BOB}>" in str(updated["blocks"]) and "approval_approve" not in str(updated["blocks"])
    world.wait(lambda: "Approved by" in str(world.slack.message(CHANNEL, pending["ts"])["blocks"]), what="pending")
    dm_saying(world, ADMIN, "went through")
    # A replay of the click (or a second one): nothing more happens, and who decided is said.
    replay(world, approval)
    told(world, BOB, dm, "Already decided")
    world.wait_idle()
    assert [e.action for e in audit(world, "approval.")] == ["approval.requested", "approval.approved"]
    [bought] = audit(world, "number.purchase")
    assert bought.actor == ADMIN and bought.details["numberKey"] == key
    assert pending_purchases(world.services.db) == []


@pytest.mark.world(resourcebot_approvers=APPROVERS)
def test_a_denied_purchase_reaches_no_provider_and_the_requester_hears_why(world):
    key = ask_to_buy(world, reason=None)
    message = request_message(world, BOB)
    assert "No reason given" in str(message["blocks"])
    dm = world.slack.dm_channel(BOB)
    late_approve = world.driver.block_action_payload("approval_approve", user=BOB, channel=dm, message_ts=message["ts"])
    click(world, "approval_deny", BOB, message, dm)
    world.view(BOB, callback_id="approval_deny_reason")
    assert world.driver.submit_view({"reason": "   "}, user=BOB).errors  # a denial says why
    assert not world.driver.submit_view({"reason": "We have <@U0X> enough"}, user=BOB).errors
    world.view(BOB, contains="Denied by")
    said = dm_saying(world, ADMIN, "was denied")
    assert f"<@{BOB}>" in said and "&lt;@U0X&gt; enough" in said
    world.wait(lambda: "Denied by" in str(world.slack.message(dm, message["ts"])["blocks"]), what="the request updated")
    replay(world, late_approve)  # a late Approve (the message as it was) changes nothing
    told(world, BOB, dm, "Already decided")
    world.wait_idle()
    assert key not in owned(world) and audit(world, "number.") == []
    [denied] = audit(world, "approval.denied")
    assert denied.actor == BOB and denied.details["reason"] == "We have <@U0X> enough"
    # `resourcebot audit --action approval.` lists both steps.
    env = {**os.environ, "RESOURCEBOT_DB": str(world.services.settings.resourcebot_db)}
    listing = subprocess.run(
        [sys.executable, "-m", "bot", "audit", "--action", "approval.", "--csv"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert listing.returncode == 0, listing.stderr
    rows = list(csv.DictReader(io.StringIO(listing.stdout)))
    assert [(r["action"], r["actor"]) for r in rows] == [("approval.requested", ADMIN), ("approval.denied", BOB)]


@pytest.mark.world(resourcebot_approvers=APPROVERS, resourcebot_approval_channel=CHANNEL)
def test_nobody_approves_their_own_purchase_and_only_approvers_decide(world):
    world.slack.add_user(CAROL, "carol")
    key = ask_to_buy(world)
    message = world.wait(
        lambda: next((m for m in world.slack.messages(CHANNEL) if "approval_approve" in str(m.get("blocks"))), None),
        what="the approval request in the approval channel",
    )
    assert len([m for m in world.slack.messages(CHANNEL) if "asks to buy" in str(m.get("blocks"))]) == 1
    click(world, "approval_approve", ADMIN, message, CHANNEL)
    assert "You asked for this yourself" in told(world, ADMIN, CHANNEL, "yourself")
    click(world, "approval_approve", CAROL, message, CHANNEL)
    told(world, CAROL, CHANNEL, "Only approvers decide")
    click(world, "approval_deny", ADMIN, message, CHANNEL)
    assert len([m for m in world.slack.ephemeral(CHANNEL, ADMIN) if "yourself" in m.get("text", "")]) == 2
    world.wait_idle()
    assert key not in owned(world) and [e.action for e in audit(world, "approval.")] == ["approval.requested"]
    click(world, "approval_approve", BOB, message, CHANNEL)
    told(world, BOB, CHANNEL, "Approved")
    assert key in owned(world)


@pytest.mark.world(resourcebot_approvers=f"{ADMIN},{BOB},{CAROL}")
def test_two_approvers_at_once_make_one_decision_and_one_purchase(world):
    world.slack.add_user(CAROL, "carol")
    key = ask_to_buy(world)
    bob, carol = request_message(world, BOB), request_message(world, CAROL)
    bob_dm, carol_dm = world.slack.dm_channel(BOB), world.slack.dm_channel(CAROL)
    go = threading.Barrier(2)

    def approve(user, message, dm):
        go.wait()
        click(world, "approval_approve", user, message, dm)

    threads = [
        threading.Thread(target=approve, args=(BOB, bob, bob_dm)),
        threading.Thread(target=approve, args=(CAROL, carol, carol_dm)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    answers = [told(world, BOB, bob_dm, "pprove") + told(world, CAROL, carol_dm, "pprove")]
    world.wait_idle()
    [approved] = audit(world, "approval.approved")
    assert [e.details["numberKey"] for e in audit(world, "number.purchase")] == [key]
    assert "Already decided" in str(answers) and f"<@{approved.actor}>" in str(answers)
    loser_dm = carol_dm if approved.actor == BOB else bob_dm
    loser = carol if approved.actor == BOB else bob
    world.wait(
        lambda: f"Approved by <@{approved.actor}>" in str(world.slack.message(loser_dm, loser["ts"])["blocks"]),
        what="the other approver's request updated",
    )


@pytest.mark.world(resourcebot_approvers=APPROVERS, reminder_tick_seconds=0.1, resourcebot_approval_expires_hours=72)
def test_an_undecided_purchase_expires_as_a_denial_would(world):
    key = ask_to_buy(world)
    message = request_message(world, BOB)
    dm = world.slack.dm_channel(BOB)
    late_approve = world.driver.block_action_payload("approval_approve", user=BOB, channel=dm, message_ts=message["ts"])
    world.services.clock.advance(timedelta(hours=71))
    world.wait(lambda: audit(world, "approval.reminded"), what="the approvers reminded, halfway")
    world.wait_idle()
    assert audit(world, "approval.expired") == []
    world.services.clock.advance(timedelta(hours=2))
    dm_saying(world, ADMIN, "expired")
    world.wait(lambda: "Expired" in str(world.slack.message(dm, message["ts"])["blocks"]), what="the request updated")
    replay(world, late_approve)
    told(world, BOB, dm, "Already decided")
    world.wait_idle()
    assert key not in owned(world) and audit(world, "number.") == []
    # Past halfway (36 of 72 hours) the approvers were reminded, once.
    assert [e.action for e in audit(world, "approval.")] == [
        "approval.requested",
        "approval.reminded",
        "approval.expired",
    ]


@pytest.mark.world(resourcebot_approvers=APPROVERS, resourcebot_approval_free_below=1000)
def test_a_purchase_below_the_free_limit_is_bought_at_once(world):
    row = offers(search(world, "GB SMS"))[0]
    world.driver.block_action("number_buy", user=ADMIN, block_id=row["block_id"])
    confirm = world.view(ADMIN, callback_id="number_buy_confirm")
    assert confirm["submit"]["text"].startswith("Buy for ")
    assert not world.driver.submit_view({}, user=ADMIN).errors
    world.view(ADMIN, contains="is yours")
    assert key_of(row) in owned(world) and audit(world, "approval.") == []


@pytest.mark.world(resourcebot_approvers=APPROVERS, resourcebot_recover_seconds=0.2)
def test_an_approval_cut_off_before_the_call_is_performed_once_after_a_restart(world):
    from bot.domain.approvals import ApprovalState
    from bot.store.approvals import decide, waiting_approvals

    key = ask_to_buy(world)
    request_message(world, BOB)
    [approval] = waiting_approvals(world.services.db)
    # Approved, committed, then the process died before the call: as another boot left it.
    db = connect(world.services.settings.resourcebot_db)
    try:
        decided = decide(
            db, approval.key, decider=BOB, state=ApprovalState.APPROVED, reason=None, at=approval_at(world)
        )
        assert decided.first and decided.intent is not None
        db.execute("UPDATE intents SET owner = 'a-boot-that-is-gone' WHERE key = ?", [approval.key])
        db.conn.commit()
    finally:
        db.conn.close()
    world.wait(lambda: key in owned(world), what="the purchase performed by recovery")
    dm_saying(world, ADMIN, "went through")
    world.wait_idle()
    assert [e.details["numberKey"] for e in audit(world, "number.purchase")] == [key]


def approval_at(world):
    return world.services.clock.now()


@pytest.mark.world(resourcebot_approvers=f"{ADMIN},S0APPROVE")
def test_approvers_named_by_user_group_are_its_members_when_they_decide(world):
    world.slack.add_user(CAROL, "carol")
    world.slack.add_usergroup("S0APPROVE", [BOB])
    key = ask_to_buy(world)
    message = request_message(world, BOB)  # a member is asked
    dm = world.slack.dm_channel(BOB)
    world.slack.add_usergroup("S0APPROVE", [CAROL])  # Bob leaves the group before he decides
    click(world, "approval_approve", BOB, message, dm)
    assert f"<@{CAROL}>" in told(world, BOB, dm, "Only approvers decide")
    assert key not in owned(world)
    world.slack.add_usergroup("S0APPROVE", [BOB, CAROL])
    click(world, "approval_approve", BOB, message, dm)
    told(world, BOB, dm, "Approved")
    assert key in owned(world)
    assert {c.args.get("usergroup") for c in world.slack.calls("usergroups.users.list")} == {"S0APPROVE"}


@pytest.mark.world(resourcebot_approvers="S0NOSUCH")
def test_a_user_group_slack_does_not_know_makes_nobody_an_approver(world):
    ask_to_buy(world)
    world.wait(
        lambda: any(
            (c.response or {}).get("error") == "no_such_subteam" for c in world.slack.calls("usergroups.users.list")
        ),
        what="Slack's answer for the unknown group",
    )
    assert "nobody can decide" in str(world.slack.current_view(ADMIN)["blocks"])
