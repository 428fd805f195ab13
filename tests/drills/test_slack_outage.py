"""Drill: the Slack stand-in answers 500 to everything for a while, then recovers.

Status webhooks keep arriving (and get their 200) during the outage. Once Slack is back, every
reply reaches its thread exactly once, in order, and soon: the outbox's backoff is capped
(30 s), so recovery never waits minutes. CI runs an 8-second outage; the 60-second one is
marked `long` (`.venv/bin/pytest tests/drills -m long`).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from bot.store.outbox import pending_count
from tests.drills.support import check_threads, event_series, reply_labels, seed_requests
from tests.support.waiting import wait_until

CHANNELS = [f"C0OUTAGE{i:02d}" for i in range(6)]
EVENTS_PER_REQUEST = 4
BACKOFF_CAP = 30.0


def _outage_drill(world, outage: float, recovery_budget: float) -> None:
    for channel in CHANNELS:
        world.slack.add_channel(channel, channel.lower())
    world.slack.set_rate_limit(enabled=False)
    requests = seed_requests(world.services.db, world.slack, CHANNELS, 1)
    world.slack.set_rate_limit(enabled=True)  # Slack's own pace: about one post per second per channel
    start = datetime.now(UTC) - timedelta(minutes=30)
    sent = {r.provider_request_id: event_series(r.provider_request_id, EVENTS_PER_REQUEST, start) for r in requests}

    world.slack.set_fault(500, seconds=outage)  # every method, files and all
    outage_ends = time.time() + outage
    for round_ in range(EVENTS_PER_REQUEST):
        for request in requests:
            response = world.post_webhook(sent[request.provider_request_id][round_].body())
            assert response.status_code == 200, response.text
    labels = {e.label for events in sent.values() for e in events}

    def all_posted() -> bool:
        return sum(len(reply_labels(world.slack, r.channel, r.thread_ts)) for r in requests) >= len(labels)

    wait_until(all_posted, outage + recovery_budget, "every reply after the outage", interval=0.1)
    recovered_in = time.time() - outage_ends
    print(f"\n{outage:.0f}s outage: every reply posted {recovered_in:.1f}s after it ended")
    world.wait_idle(timeout=30)
    check = check_threads(world.slack, requests, sent, must_have=labels, may_have=set())
    assert check.ok, check
    posts = world.slack.calls("chat.postMessage")
    assert any(c.status == 500 for c in posts), "the outage was felt"
    assert all(c.at >= outage_ends - 0.2 for c in posts if c.ok and c.args.get("thread_ts")), (
        "nothing was posted during the outage"
    )
    assert pending_count(world.services.db) == 0
    assert recovered_in <= recovery_budget, f"recovery took {recovered_in:.1f}s"


def test_slack_down_for_8_seconds_then_everything_delivered_in_order(world):
    # Backoff 1, 2, 4, 8 s (with jitter): the first retry after the outage comes within ~8 s;
    # then each channel drains its 4 replies at Slack's pace.
    _outage_drill(world, outage=8.0, recovery_budget=25.0)


@pytest.mark.long
def test_slack_down_for_60_seconds_then_everything_delivered_in_order(world):
    # Capped backoff: the first retry after the outage comes within the cap.
    _outage_drill(world, outage=60.0, recovery_budget=BACKOFF_CAP + 15.0)
