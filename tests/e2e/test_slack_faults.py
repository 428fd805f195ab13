"""Slack misbehaving while Infobip reports status changes: a 5xx outage and chat.postMessage's
rate limit delay the thread's messages but never lose, repeat or reorder them."""

from __future__ import annotations

import time

from tests.support.world import block_text

GB_NUMBER = "number GB VIRTUAL_LONG_NUMBER"
FEEDBACK = [{"key": "quantity", "code": "RES_REQ_FEED_OTHER", "feedback": "How many do you need?"}]


def drain_sandbox_webhooks(world) -> None:
    response = world.sandbox_admin.post("/webhooks/drain", json={"timeout": 10})
    assert response.status_code == 200, response.text


def thread_posts(world, request) -> list:
    return [c for c in world.slack.calls("chat.postMessage") if c.args.get("thread_ts") == request.thread_ts]


def assert_changes_then_rejection(world, request) -> None:
    """The thread holds exactly the two replies, in the order they happened, each posted once."""
    thread = world.wait_thread(request.id, 3, timeout=20)
    world.wait_idle(timeout=20)
    thread = world.thread(request)
    assert len(thread) == 3
    assert "How many do you need?" in block_text(thread[1]) and "Rejected" in block_text(thread[2])
    assert sum(c.ok for c in thread_posts(world, request)) == 2
    assert "Rejected" in world.root_text(request)


def test_a_slack_outage_delays_the_thread_but_loses_and_repeats_nothing(world):
    request = world.new_request(GB_NUMBER)
    world.wait_idle()
    outage = 2.0
    world.slack.set_fault(500, methods=["chat.postMessage", "chat.update"], seconds=outage)
    outage_ends = time.time() + outage
    world.reviewer(request, "request-changes", feedback=FEEDBACK)
    world.reviewer(request, "reject", note="Not needed after all.")
    drain_sandbox_webhooks(world)  # both webhooks were answered 200 by the bot during the outage

    assert_changes_then_rejection(world, request)
    posts = thread_posts(world, request)
    assert any(c.status == 500 for c in posts)
    assert all(c.at >= outage_ends - 0.1 for c in posts if c.ok)


def test_rate_limited_posts_wait_for_retry_after_and_are_never_lost(world):
    world.slack.set_rate_limit(per_second=1, burst=1)  # the root takes the only token
    request = world.new_request(GB_NUMBER)
    world.reviewer(request, "request-changes", feedback=FEEDBACK)
    world.reviewer(request, "reject", note="Not needed after all.")

    assert_changes_then_rejection(world, request)
    posts = thread_posts(world, request)
    limited = [c for c in posts if c.status == 429]
    assert limited and all(c.error == "ratelimited" for c in limited)
    for refused in limited:  # Retry-After was 1 s: the channel was left alone that long
        retried = min(c.at for c in posts if c.at > refused.at)
        assert retried - refused.at >= 0.9
