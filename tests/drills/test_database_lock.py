"""Drill: another process holds SQLite's write lock (a backup, `resourcebot audit` by mistake, a
second bot). A webhook that cannot commit within the busy timeout is answered 503 with
Retry-After, never 500, and is taken when it comes again; nothing is lost or doubled. The lock
stalls the bot's database thread, never its event loop: Slack is acked in time meanwhile."""

from __future__ import annotations

import base64
import sqlite3
import threading
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from bot.store.outbox import pending_count
from tests.drills.support import check_threads, event_series, seed_requests
from tests.support.infobip_webhooks import status_webhook
from tests.support.names import ADMIN, ALICE, CHANNEL


def test_a_webhook_during_a_long_lock_is_asked_for_again_and_then_taken_once(world):
    [request] = seed_requests(world.services.db, world.slack, [CHANNEL], 1)
    body = status_webhook(request.provider_request_id, "UPDATE_REQUESTED", datetime.now(UTC), note="drill:lock")
    lock = sqlite3.connect(world.services.settings.resourcebot_db, timeout=1, isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")  # held past the bot's 5 s busy timeout
    try:
        started = time.monotonic()
        refused = world.post_webhook(body)
        assert refused.status_code == 503, refused.text
        assert refused.headers["Retry-After"] == "5" and 4.5 < time.monotonic() - started < 8
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    taken = world.post_webhook(body)  # Infobip sends it again
    assert taken.status_code == 200 and taken.json()["outcomes"] == ["applied"]
    again = world.post_webhook(body)
    assert again.json()["outcomes"] == ["duplicate"]
    world.wait_idle()
    replies = [m for m in world.thread(world.request(request.id))[1:] if "drill:lock" in str(m)]
    assert len(replies) == 1


@pytest.mark.parametrize("held", [2.0, 7.0])
def test_a_lock_during_a_burst_and_slack_traffic_costs_no_500_no_loss_and_no_slow_ack(world, held):
    channels = [f"C0LOCK{i:04d}" for i in range(4)]
    for channel in channels:
        world.slack.add_channel(channel, channel.lower())
    requests = seed_requests(world.services.db, world.slack, channels, 2)
    start = datetime.now(UTC) - timedelta(minutes=5)
    sent = {r.provider_request_id: event_series(r.provider_request_id, 6, start) for r in requests}
    statuses: list[int] = []
    acks: list[float] = []
    stop = threading.Event()

    def send(events) -> None:  # as Infobip does: in order, again after Retry-After until 2xx
        with httpx.Client(base_url=world.bot_url, timeout=30) as client:
            for event in events:
                while True:
                    answer = client.post(
                        "/webhooks/infobip",
                        content=event.body(),
                        headers={"Authorization": _basic(world), "Content-Type": "application/json"},
                    )
                    statuses.append(answer.status_code)
                    if answer.status_code == 200:
                        break
                    assert answer.status_code == 503 and answer.headers.get("Retry-After")
                    time.sleep(0.2)  # Infobip waits longer; the drill keeps it short

    def slack_traffic() -> None:
        while not stop.is_set():
            started = time.monotonic()
            answer = world.driver.slash_command("/resource", "help", user=ALICE, channel=CHANNEL)
            acks.append(time.monotonic() - started)
            assert answer.status == 200
            time.sleep(0.05)

    lock = sqlite3.connect(world.services.settings.resourcebot_db, timeout=1, isolation_level=None)
    traffic = threading.Thread(target=slack_traffic)
    senders = [threading.Thread(target=send, args=(sent[r.provider_request_id],)) for r in requests]
    lock.execute("BEGIN IMMEDIATE")  # the burst starts while it is held
    traffic.start()
    for sender in senders:
        sender.start()
    time.sleep(held)
    lock.execute("ROLLBACK")
    lock.close()
    for sender in senders:
        sender.join(90)
        assert not sender.is_alive()
    stop.set()
    traffic.join(10)

    assert 500 not in statuses and set(statuses) <= {200, 503}, sorted(set(statuses))
    if held > 5:  # past the busy timeout: some were asked for again
        assert 503 in statuses
    acks.sort()
    assert acks[int(len(acks) * 0.99) - 1] < 1.0, acks[-5:]
    world.wait(lambda: pending_count(world.services.db) == 0, 60, "the outbox to drain")
    acked = {e.label for events in sent.values() for e in events}
    check = check_threads(world.slack, requests, sent, must_have=acked, may_have=set())
    assert check.ok, (check.missing[:5], check.duplicated[:5], check.out_of_order[:5])


def _basic(world) -> str:
    user, password = world.services.webhook_credentials
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_a_change_asked_for_while_the_database_is_locked_is_answered_in_time_and_not_made(world):
    world.driver.slash_command("/resource", "numbers GB SMS", user=ADMIN, channel=CHANNEL)
    search = world.view(ADMIN, callback_id="numbers_search", contains="offer:0:")
    row = next(b for b in search["blocks"] if str(b.get("block_id", "")).startswith("offer:"))
    world.driver.block_action("number_buy", user=ADMIN, block_id=row["block_id"])
    world.view(ADMIN, callback_id="number_buy_confirm")
    lock = sqlite3.connect(world.services.settings.resourcebot_db, timeout=1, isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")
    try:
        answer = world.driver.submit_view({}, user=ADMIN)
        assert answer.status == 200 and answer.in_time, answer.elapsed
        assert answer.errors and "busy" in " ".join(answer.errors.values())
        assert world.sandbox.calls["purchase-number"] == 0
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert not world.driver.submit_view({}, user=ADMIN).errors  # the same form, sent again
    world.view(ADMIN, contains="is yours")
    assert world.sandbox.calls["purchase-number"] == 1
