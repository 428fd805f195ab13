"""Drill: the answer to a submission is lost. Infobip may or may not have created the request.

The bot never submits again. It records the submission as unconfirmed, tells the requester so,
and its reconciler lists requests until it finds the one created (then posts its thread with
the status Infobip shows) or, after a bounded wait, marks it not submitted and tells the
requester by DM that they can submit again.

Faults (the sandbox's /_sandbox/faults on submit-resource-request):
- created, answer lost:           status 504, after_processing true
- created late, after the client gave up: no status, delay 3 s > the client's 1.5 s timeout
- not created:                    status 504, after_processing false, delay 3 s > timeout
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.submissions import GIVE_UP_AFTER, NOT_SUBMITTED, UNCONFIRMED
from tests.support.infobip_webhooks import status_webhook
from tests.support.names import ALICE, CHANNEL
from tests.support.world import block_text

GB_NUMBER = "number GB VIRTUAL_LONG_NUMBER"
SUBMIT = "submit-resource-request"
DRILL = pytest.mark.world(resourcebot_reconcile_seconds=0.3, infobip_timeout=1.5)


def submit_with_fault(world, **fault) -> None:
    """/resource number…, the form filled, the fault armed, submitted: the answer is lost."""
    ack = world.driver.slash_command("/resource", GB_NUMBER, user=ALICE, channel=CHANNEL)
    assert ack.status == 200 and ack.in_time
    world.view(ALICE, callback_id="request_form")
    world.sandbox_fault(operation_id=SUBMIT, **fault)
    submitted = world.driver.submit_view({}, user=ALICE)
    assert submitted.status == 200 and not submitted.errors, submitted.errors
    view = world.view(ALICE, contains="did not confirm")
    assert "direct message" in str(view["blocks"])


def sandbox_requests(world) -> list:
    return list(world.sandbox.requests.lifecycle.requests.values())


@DRILL
@pytest.mark.parametrize(
    "fault",
    [
        pytest.param({"status": 504, "after_processing": True}, id="answer-lost"),
        pytest.param({"delay": 3.0}, id="created-after-client-timeout"),
    ],
)
def test_a_request_created_without_an_answer_is_found_and_its_thread_posted(world, fault):
    submit_with_fault(world, **fault)
    [pending] = world.requests()  # recorded as unconfirmed (it may be linked already: a pass is 0.3 s)
    assert pending.submission_attempted_at is not None

    linked = world.wait(
        lambda: (r := world.request(pending.id)).provider_request_id and r.thread_ts and r,
        timeout=15,
        what="the submission linked and its thread posted",
    )
    [created] = sandbox_requests(world)  # exactly one: the bot never submitted twice
    assert linked.provider_request_id == created.id
    assert linked.status == str(created.status)
    root = block_text(world.slack.root(linked.channel, linked.thread_ts))
    assert linked.id in root and created.id in root
    assert linked.channel == CHANNEL

    # From here it is an ordinary request: the next webhook reaches its thread.
    world.reviewer(
        linked, "request-changes", feedback=[{"key": "quantity", "code": "RES_REQ_FEED_OTHER", "feedback": "Why one?"}]
    )
    world.wait_thread(linked.id, 2)
    assert len(sandbox_requests(world)) == 1
    assert not [m for m in world.slack.messages(world.slack.dm_channel(ALICE)) if "did not reach" in block_text(m)]


@DRILL
def test_a_request_never_created_is_given_up_and_the_requester_told(world):
    submit_with_fault(world, status=504, after_processing=False, delay=3.0)
    [pending] = world.requests()
    assert pending.status == UNCONFIRMED and pending.provider_request_id is None

    # The reconciler keeps looking (a pass every 0.3 s) and finds nothing; nothing is sent again.
    time.sleep(3.5)  # the sandbox's delayed 504 has been answered by now: it created nothing
    assert world.request(pending.id).status == UNCONFIRMED
    assert sandbox_requests(world) == []

    world.services.clock.advance(GIVE_UP_AFTER + timedelta(seconds=1))
    given_up = world.wait(
        lambda: (r := world.request(pending.id)).status == NOT_SUBMITTED and r,
        timeout=10,
        what="the submission given up",
    )
    dm = world.wait(
        lambda: [
            m for m in world.slack.messages(world.slack.dm_channel(ALICE)) if "did not reach Infobip" in block_text(m)
        ],
        timeout=10,
        what="the DM",
    )
    assert len(dm) == 1 and given_up.id in block_text(dm[0])
    assert given_up.thread_ts is None and sandbox_requests(world) == []
    world.wait_idle()


@pytest.mark.world(resourcebot_recover_seconds=0.3, infobip_timeout=1.5)
def test_a_webhook_for_a_submission_not_linked_yet_is_asked_for_again_then_taken(world):
    # The pass that would link the submission waits at its list call until the drill releases it.
    world.sandbox_fault(operation_id="get-resource-requests", hold=True)
    submit_with_fault(world, status=504, after_processing=True)
    [pending] = world.requests()
    [created] = sandbox_requests(world)
    hold = world.wait(
        lambda: next((h for h in world.sandbox_admin.get("/holds").json()["holds"] if h["state"] == "held"), None),
        what="the recovery pass's list call",
    )

    body = status_webhook(
        created.id,
        "UPDATE_REQUESTED",
        datetime.now(UTC),
        requirementsFeedback=[{"key": "quantity", "code": "RES_REQ_FEED_OTHER", "feedback": "Why one?"}],
    )
    asked_again = world.post_webhook(body)
    assert asked_again.status_code == 503 and asked_again.headers["Retry-After"] == "30"

    assert world.sandbox_admin.post(f"/holds/{hold['id']}/release", json={"process": True}).status_code == 200
    linked = world.wait(lambda: (r := world.request(pending.id)).thread_ts and r, timeout=15, what="the thread")
    taken = world.post_webhook(body)  # Infobip sends it again
    assert taken.status_code == 200 and taken.json()["outcomes"] == ["applied"]
    thread = world.wait_thread(linked.id, 2)
    assert "Why one?" in block_text(thread[-1])
