"""Drill: `kill -9` the bot in the middle of a webhook burst, restart it on the same database.

Every event that got a 200 must reach its thread exactly once, in the order sent. Events whose
call got no answer (the kill cut them off) are sent again after the restart, as Infobip retries
anything that was not answered 2xx: those too must show exactly once.

The bot is a real `python -m bot serve` process (SIGKILL needs one); the Slack stand-in and the
Infobip sandbox run in this process. Senders are threads, one per group of requests, each
sending its requests' events in order and stopping at the first call that gets no 200.

The kill is placed, not timed: every sender but one parks after a share of what it has left and
the bot is killed once they are all parked, so each of them still has events to send when the bot
is gone (mid-burst by construction, on any machine). The one that does not park keeps sending
through the kill, so some call is usually cut off in flight too.
"""

from __future__ import annotations

import random
import threading
import time
from datetime import UTC, datetime, timedelta

import httpx

from bot.background_server import BackgroundServer
from bot.sandbox.infobip import InfobipSandbox, SandboxConfig
from bot.sandbox.infobip import create_app as create_sandbox_app
from bot.sandbox.slack.web_api import SlackStandIn
from bot.store.db import open_database
from tests.drills.support import BotProcess, DrillEvent, basic_auth, bot_env, check_threads, event_series, seed_requests
from tests.support.waiting import wait_until

# 12 channels × 2 requests × 8 events = 192 events. The outbox paces posts at about one per
# second per channel, as Slack allows, so replies per channel bound how long the drain takes.
CHANNELS = [f"C0DRILL{i:03d}" for i in range(12)]
PER_CHANNEL = 2
EVENTS_PER_REQUEST = 8
SENDERS = 4
# Before each kill, the parking senders send this share of what they have left; one restart after each kill.
KILLS_AT = (0.3, 0.5)


class Sender(threading.Thread):
    """Sends its events in order; stops at the first one that gets no 200 (kept for a retry).
    With `park_at`, it stops before that event until `resume` is set (`parked` says it is there)."""

    def __init__(self, url: str, events: list[DrillEvent], park_at: int | None = None) -> None:
        super().__init__(daemon=True)
        self.url, self.events, self.park_at = url, events, park_at
        self.parked, self.resume = threading.Event(), threading.Event()
        self.acked: list[DrillEvent] = []
        self.unanswered: list[DrillEvent] = []  # the rest, from the first without a 200

    def run(self) -> None:
        with httpx.Client(timeout=10) as client:
            for index, event in enumerate(self.events):
                if index == self.park_at:
                    self.parked.set()
                    self.resume.wait(60)
                try:
                    response = client.post(
                        self.url + "/webhooks/infobip",
                        content=event.body(),
                        headers={"Authorization": basic_auth(), "Content-Type": "application/json"},
                    )
                    answered = response.status_code == 200
                except httpx.HTTPError:
                    answered = False
                if not answered:
                    self.unanswered = self.events[index:]
                    return
                self.acked.append(event)


def _park_at(events: list[DrillEvent], share: float) -> int:
    """Where a sender parks: after `share` of its events, always leaving at least one to send."""
    assert len(events) >= 2, "a parking sender needs events on both sides of the kill"
    return min(len(events) - 1, max(1, round(len(events) * share)))


def _interleave(per_request: list[list[DrillEvent]]) -> list[DrillEvent]:
    """Round robin over requests, each request's events in order."""
    out = []
    for round_ in range(max(len(e) for e in per_request)):
        out.extend(events[round_] for events in per_request if round_ < len(events))
    return out


def test_kill_9_mid_burst_loses_and_duplicates_nothing(tmp_path):
    slack = SlackStandIn().start()
    for channel in CHANNELS:
        slack.add_channel(channel, channel.lower())
    sandbox = InfobipSandbox(SandboxConfig(lifecycle_step=None, review="manual"))
    sandbox_server = BackgroundServer(create_sandbox_app(sandbox)).start()
    db_path = tmp_path / "bot.sqlite3"
    db = open_database(db_path)
    slack.set_rate_limit(enabled=False)
    requests = seed_requests(db, slack, CHANNELS, PER_CHANNEL)
    db.close()
    # Slack's per-channel limit, faster and with more burst: 429s and Retry-After stay in play.
    slack.set_rate_limit(enabled=True, speedup=20.0, burst=20)
    env = bot_env(slack=slack, infobip_url=sandbox_server.url, infobip_key=sandbox.config.api_key, db_path=db_path)
    start = datetime.now(UTC) - timedelta(minutes=30)
    sent = {r.provider_request_id: event_series(r.provider_request_id, EVENTS_PER_REQUEST, start) for r in requests}
    total = len(requests) * EVENTS_PER_REQUEST
    groups = [requests[i::SENDERS] for i in range(SENDERS)]
    # What each sender still has to send: after a kill, from its first event that got no 200.
    pending = [_interleave([sent[r.provider_request_id] for r in group]) for group in groups]
    acked: set[str] = set()
    bots: list[BotProcess] = []
    try:
        for cycle in range(len(KILLS_AT) + 1):
            bot = BotProcess(env, tmp_path).start()
            bots.append(bot)
            killing = cycle < len(KILLS_AT)
            senders = [
                Sender(bot.url, events, park_at=_park_at(events, KILLS_AT[cycle]) if killing and i else None)
                for i, events in enumerate(pending)
            ]
            for sender in senders:
                sender.start()
            if killing:
                parking = senders[1:]
                wait_until(
                    lambda parking=parking: all(s.parked.is_set() or not s.is_alive() for s in parking),
                    60,
                    "the senders to park",
                )
                assert all(s.parked.is_set() for s in parking), "a sender got no 200 from a live bot:\n" + bot.tail()
                time.sleep(random.uniform(0, 0.05))
                bot.kill()
                for sender in parking:
                    sender.resume.set()
            for sender in senders:
                sender.join(60)
                assert not sender.is_alive()
            acked |= {e.label for s in senders for e in s.acked}
            pending = [s.unanswered for s in senders]
            if cycle < len(KILLS_AT):
                assert any(pending), "the kill should land mid-burst"
                # Infobip sends again what got no 200 (from the first one cut off, in order).
        assert not any(pending), "after the last restart every event gets its 200"
        assert len(acked) == total

        wait_until(lambda: bots[-1].health()["outbox_pending"] == 0, 90, "the outbox to drain")
        check = check_threads(slack, requests, sent, must_have=acked, may_have=set())
        assert check.ok, (
            f"missing={check.missing[:10]} duplicated={check.duplicated[:10]} "
            f"out_of_order={check.out_of_order[:5]} unexpected={check.unexpected[:5]}\n" + bots[-1].tail()
        )
    finally:
        for bot in bots:
            bot.stop()
        sandbox_server.stop()
        slack.stop()
