"""4. Delivery under Slack's rate limit: 1,000 status events for 100 requests in 10 channels.

Setup: 100 requests (10 per channel, 10 requesters) are created in the bot's database with
their thread roots queued, and the bot (`bench.servers bot`, its own process) posts the roots
while the Slack stand-in's rate limit is off. Then the stand-in enforces chat.postMessage at
1 message per second per channel with a burst of 3 (429 + Retry-After beyond it), sped up
`speedup` times; the bot's outbox is told the same scaled rate (`--post-rate`), as it would be
told Slack's 1/s. The webhooks go out as bursts: 8 senders, each sending all 10 events of one
request in order (each after the previous one's 200), then the next request.

The clock runs from the first webhook to the last Slack call of the delivery. The floor is the
busiest channel's chat.postMessage calls beyond the burst at the allowed rate:
(posts - 3) / (1/s x speedup). Checked: every event's reply is in its thread exactly once and in
order (each reply carries "bench event k/10"), and one chat.update per request (the burst's
root updates coalesced).

Alone: `python -m bench delivery` (add `--quick` for a short run).
"""

from __future__ import annotations

import base64
import json
import re
import sqlite3
import tempfile
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import WEBHOOK_PASSWORD, WEBHOOK_USER, Figure, Result, ServerProcess, bot_env, wait_until
from bench.loadgen import in_process
from bot.sandbox.slack.web_api import SlackStandIn
from bot.store.db import open_database
from bot.store.outbox import THREAD_ROOT, enqueue
from bot.store.requests import create_request

STATUSES = ("UPDATE_REQUESTED", "UPDATE_REQUESTED_BY_INTERNAL_REVIEWER")
SEQ = re.compile(r"bench event (\d+)/(\d+)")
BURST = 3  # the stand-in's chat.postMessage burst
PER_SECOND = 1.0  # … and its rate per channel, as Slack documents, before the speedup


def _seed(db_path: Path, requests: int, channels: int) -> list[dict]:
    db = open_database(db_path)
    seeded = []
    with db.atomic():
        for i in range(requests):
            channel, user = f"C0BENCH{i % channels:03d}", f"U0BENCH{i % 10:03d}"
            provider_id = f"bench-{i:06d}-0000-0000-000000000000"
            record = create_request(
                db,
                provider="infobip",
                provider_request_id=provider_id,
                kind="NUMBER_PURCHASE",
                country="GB",
                number_type="VIRTUAL_LONG_NUMBER",
                capabilities=["SMS"],
                quantity=1,
                requester=user,
                channel=channel,
                status="IN_REVIEW",
                status_at="2025-01-01T00:00:00.000+00:00",
            )
            enqueue(db, record.id, THREAD_ROOT)
            seeded.append({"id": record.id, "provider_id": provider_id, "channel": channel})
    db.close()
    return seeded


def _bursts(seeded: list[dict], events_per_request: int) -> list[list[bytes]]:
    start = datetime(2025, 6, 1, tzinfo=UTC)
    bursts = []
    for r in seeded:
        burst = []
        for k in range(1, events_per_request + 1):
            at = start + timedelta(seconds=k)
            burst.append(
                json.dumps(
                    {
                        "results": [
                            {
                                "event": "RESOURCE_REQUEST_STATUS_UPDATE",
                                "receivedAt": at.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                                "content": {
                                    "id": r["provider_id"],
                                    "status": STATUSES[k % 2],
                                    "type": "NUMBER_PURCHASE",
                                    "requirementsFeedback": [],
                                    "note": f"bench event {k}/{events_per_request}",
                                },
                                "platform": {"applicationId": "default"},
                            }
                        ]
                    }
                ).encode()
            )
        bursts.append(burst)
    return bursts


def _threads(db_path: Path) -> dict[str, tuple[str, str]]:
    conn = sqlite3.connect(db_path)
    try:
        return {row[0]: (row[1], row[2]) for row in conn.execute("SELECT id, channel, thread_ts FROM requests")}
    finally:
        conn.close()


def _pending(db_path: Path) -> int:
    # Read from the bot's database (WAL: no lock taken). Cheap on purpose: this process also runs
    # the Slack stand-in, and a busy main thread would make it wait for the GIL.
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL").fetchone()[0]
    finally:
        conn.close()


def run(
    requests: int = 100,
    channels: int = 10,
    events_per_request: int = 10,
    speedup: float = 10.0,
    senders: int = 8,
    profile: str | None = None,
) -> Result:
    result = Result("delivery")
    started = time.monotonic()
    rate = PER_SECOND * speedup
    auth = "Basic " + base64.b64encode(f"{WEBHOOK_USER}:{WEBHOOK_PASSWORD}".encode()).decode()
    headers = {"Content-Type": "application/json", "Authorization": auth}
    with tempfile.TemporaryDirectory(prefix="bench-delivery-") as tmp, SlackStandIn() as standin:
        db_path = Path(tmp) / "bot.sqlite3"
        for c in range(channels):
            standin.add_channel(f"C0BENCH{c:03d}", f"bench-{c}")
        for u in range(10):
            standin.add_user(f"U0BENCH{u:03d}", f"bench{u}")
        seeded = _seed(db_path, requests, channels)
        standin.set_rate_limit(enabled=False)
        bot = ServerProcess(
            [
                "-m",
                "bench.servers",
                *(["--profile", profile] if profile else []),
                "bot",
                "--post-rate",
                str(rate),
                "--post-burst",
                str(BURST - 1),
            ],
            env=bot_env(standin.api_url, db_path, RESOURCEBOT_RECONCILE_SECONDS="0"),
        ).ready()
        try:
            wait_until(lambda: _pending(db_path) == 0, 60, "the thread roots")
            threads = _threads(db_path)
            if not all(ts for _, ts in threads.values()):
                raise RuntimeError("some thread roots were not posted")
            standin.set_rate_limit(enabled=True, per_second=PER_SECOND, burst=BURST, speedup=speedup)
            time.sleep(2 * BURST / rate)  # the bot's own buckets refill after the roots
            standin.clear_calls()
            # The senders run in a process of their own: the stand-in's thread here must not wait for the GIL.
            load = in_process(
                "send_sequences",
                url=bot.url + "/webhooks/infobip",
                sequences=_bursts(seeded, events_per_request),
                headers=headers,
                concurrency=senders,
            )
            sent_at = load.started_at  # the first webhook (the sender process took a moment to start)
            webhooks_done = load.elapsed
            expected = requests * events_per_request
            floor_guess = (expected / channels) / rate
            wait_until(lambda: _pending(db_path) == 0, floor_guess * 5 + 30, "the outbox to empty", interval=0.1)
            rss = bot.rss_mib()
        finally:
            bot.stop()
        calls = standin.calls()
        ok = [c for c in calls if c.ok and c.method in ("chat.postMessage", "chat.update", "views.publish")]
        total = max(c.at for c in ok) - sent_at
        posts = [c for c in calls if c.method == "chat.postMessage"]
        posts_ok = Counter(c.args.get("channel") for c in posts if c.ok)
        limited = sum(1 for c in posts if c.status == 429)
        updates = Counter(c.args.get("ts") for c in calls if c.method == "chat.update" and c.ok)
        lost = duplicated = out_of_order = 0
        for channel, ts in threads.values():
            seqs = []
            for message in standin.thread(channel, ts)[1:]:
                found = SEQ.search(json.dumps(message.get("blocks") or message.get("text")))
                if found:
                    seqs.append(int(found.group(1)))
            counts = Counter(seqs)
            lost += sum(1 for k in range(1, events_per_request + 1) if counts[k] == 0)
            duplicated += sum(n - 1 for n in counts.values() if n > 1)
            out_of_order += seqs != sorted(seqs)
    floors = {ch: max(0, n - BURST) / rate for ch, n in posts_ok.items()}
    floor = max(floors.values())
    coalesced = sum(1 for _, ts in threads.values() if updates[ts] == 1)
    per_request = defaultdict(int)
    for _, ts in threads.values():
        per_request[updates[ts]] += 1
    checks_ok = lost == 0 and duplicated == 0 and out_of_order == 0 and load.ok == expected
    result.figures += [
        Figure(
            f"4. {expected:,} events → {requests} threads in {channels} channels, limit {speedup:g}× faster",
            total,
            floor,
            "s",
            "<= 1.2x floor",
            met=total <= 1.2 * floor,
            note="baseline: the floor",
        ),
        Figure(
            "4. lost / duplicated / threads out of order",
            lost + duplicated + out_of_order,
            0,
            "",
            "0 / 0 / 0",
            met=checks_ok,
            ratio=None,
            note=f"{lost} / {duplicated} / {out_of_order}",
        ),
        Figure(
            "4. chat.update per request (burst coalesced)",
            sum(updates.values()) / requests,
            1.0,
            "",
            "1 per burst",
            met=coalesced == requests,
            note=f"{coalesced}/{requests} requests with exactly 1",
        ),
    ]
    result.details = {
        "webhooks_200": load.ok,
        "webhooks_seconds": round(webhooks_done, 2),
        "posts_per_channel": dict(posts_ok),
        "floor_s": floor,
        "total_s": total,
        "http_429": limited,
        "chat_update_histogram": dict(per_request),
        "rss_mib": rss,
    }
    result.seconds = time.monotonic() - started
    return result
