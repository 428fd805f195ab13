"""`resourcebot audit --action approval.` over a real run: every step of every approval (asked for,
reminded, approved, denied, expired), as a table and as CSV, each with the approval's state now in
the state column, and the purchase an approval made with its intent's."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from datetime import timedelta

import pytest

from tests.e2e.test_approvals_slack import APPROVERS, ask_to_buy, click, request_message, told
from tests.e2e.test_numbers_slack import ROOT, owned
from tests.support.names import ADMIN, BOB


def run_audit(world, *args: str) -> str:
    env = {**os.environ, "RESOURCEBOT_DB": str(world.services.settings.resourcebot_db)}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "audit", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0 and not done.stderr, done.stderr
    return done.stdout


def audit_csv(world, *args: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(run_audit(world, *args, "--csv"))))


def deny(world, message: dict) -> None:
    dm = world.slack.dm_channel(BOB)
    click(world, "approval_deny", BOB, message, dm)
    world.view(BOB, callback_id="approval_deny_reason")
    assert not world.driver.submit_view({"reason": "Not this one"}, user=BOB).errors
    world.view(BOB, contains="Denied by")


@pytest.mark.world(resourcebot_approvers=APPROVERS, reminder_tick_seconds=0.1, resourcebot_approval_expires_hours=72)
def test_the_audit_lists_every_step_with_the_approvals_state(world):
    def wait_steps(count: int) -> list[dict]:
        return world.wait(lambda: len(rows := audit_csv(world, "--action", "approval.")) == count and rows, timeout=20)

    # One waiting.
    ask_to_buy(world)
    assert [(r["action"], r["state"]) for r in wait_steps(1)] == [("approval.requested", "waiting")]
    # Denied.
    deny(world, request_message(world, BOB))
    assert [(r["action"], r["actor"], r["state"]) for r in wait_steps(2)] == [
        ("approval.requested", ADMIN, "denied"),
        ("approval.denied", BOB, "denied"),
    ]
    # Another, reminded halfway and then approved: bought once.
    world.wait_idle()
    key = ask_to_buy(world)
    message = request_message(world, BOB)  # the only one with buttons: the first was decided
    world.services.clock.advance(timedelta(hours=40))
    rows = wait_steps(4)
    assert [(r["action"], r["actor"], r["state"]) for r in rows[2:]] == [
        ("approval.requested", ADMIN, "waiting"),
        ("approval.reminded", "reminder", "waiting"),
    ]
    click(world, "approval_approve", BOB, message, world.slack.dm_channel(BOB))
    told(world, BOB, world.slack.dm_channel(BOB), "is the account's now")
    assert key in owned(world)
    # A third, left to expire (at once: no reminder is due for what expires now).
    world.wait_idle()
    ask_to_buy(world)
    world.services.clock.advance(timedelta(hours=73))
    rows = wait_steps(7)
    assert [(r["action"], r["state"]) for r in rows] == [
        ("approval.requested", "denied"),
        ("approval.denied", "denied"),
        ("approval.requested", "approved"),
        ("approval.reminded", "approved"),
        ("approval.approved", "approved"),
        ("approval.requested", "expired"),
        ("approval.expired", "expired"),
    ]
    assert "Not this one" in rows[1]["details"] and rows[6]["actor"] == "expiry"
    # The table says the same, a line a step after its heading and rule.
    table = run_audit(world, "--action", "approval.").splitlines()
    assert len(table) == 2 + 7 and table[0].split()[-1] == "state"
    assert [line.split()[-1] for line in table[2:]] == [r["state"] for r in rows]
    # The purchase the approval made is listed with its intent's state.
    [bought] = audit_csv(world, "--action", "number.purchase")
    assert bought["state"] == "done" and bought["actor"] == ADMIN
