"""3. Webhook ingestion: sustained events/s and p99 latency with concurrent senders.

The bot (`bench.servers bot`, its own process) gets Infobip status webhooks, one event per POST,
with Basic credentials, from `concurrency` httpx clients in this process; each event applies to
one of `requests` requests created beforehand in its database (`create_request`), so every one
takes the whole path: parse, deduplicate, status rules, event + request + 3 outbox rows, commit,
then 200. The outbox worker is paused (`--outbox paused`): the items stay queued, so Slack
delivery does not take the CPU being measured (benchmark 4 measures delivery). The baseline,
`bench.servers bare-store`, stores the same JSON with sqlite-utils (WAL, synchronous=NORMAL, as
the bot) and answers 200 after the commit. The load generator's own ceiling is its rate against
`bench.servers trivial`, which answers 200 at once. Bot and baseline take turns, `rounds` times.

After the run every 200 is checked against the store (events applied == 200s answered), and the
bot's resident memory is read (benchmark 5).

Alone: `python -m bench ingest` (add `--quick` for a short run).
"""

from __future__ import annotations

import base64
import json
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import WEBHOOK_PASSWORD, WEBHOOK_USER, Figure, Result, ServerProcess, bot_env, percentile
from bench.loadgen import Load, load
from bot.store.db import open_database
from bot.store.requests import create_request

STATUSES = ("UPDATE_REQUESTED", "UPDATE_REQUESTED_BY_INTERNAL_REVIEWER")


def seed_requests(db_path: Path, count: int) -> list[str]:
    """`count` number requests waiting at Infobip, as if submitted through Slack; their provider ids."""
    db = open_database(db_path)
    ids = []
    with db.atomic():
        for i in range(count):
            provider_id = f"bench-{i:06d}-0000-0000-000000000000"
            create_request(
                db,
                provider="infobip",
                provider_request_id=provider_id,
                kind="NUMBER_PURCHASE",
                country="GB",
                number_type="VIRTUAL_LONG_NUMBER",
                capabilities=["SMS"],
                quantity=1,
                requester=f"U0BENCH{i % 10:03d}",
                channel=f"C0BENCH{i % 10:03d}",
                thread_ts=f"1700000000.{i:06d}",
                status="IN_REVIEW",
                status_at="2025-01-01T00:00:00.000+00:00",
            )
            ids.append(provider_id)
    db.close()
    return ids


def webhook_bodies(provider_ids: list[str], count: int, start: datetime) -> list[bytes]:
    """Status webhooks, round robin over the requests, each later than the one before: all apply."""
    bodies = []
    for k in range(count):
        at = (start + timedelta(milliseconds=k)).astimezone(UTC)
        bodies.append(
            json.dumps(
                {
                    "results": [
                        {
                            "event": "RESOURCE_REQUEST_STATUS_UPDATE",
                            "receivedAt": at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}+0000",
                            "content": {
                                "id": provider_ids[k % len(provider_ids)],
                                "status": STATUSES[k % 2],
                                "type": "NUMBER_PURCHASE",
                                "requirementsFeedback": [
                                    {
                                        "key": "quantity",
                                        "code": "RES_REQ_FEED_OTHER",
                                        "feedback": f"Please check this ({k}).",
                                    }
                                ],
                            },
                            "platform": {"applicationId": "default"},
                        }
                    ]
                }
            ).encode()
        )
    return bodies


def _count(db_path: Path, sql: str) -> int:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def run(
    events: int = 12000,
    seconds: float = 8.0,
    concurrency: int = 16,
    requests: int = 1000,
    rounds: int = 2,
    warmup: int = 300,
) -> Result:
    result = Result("ingest")
    started = time.monotonic()
    auth = "Basic " + base64.b64encode(f"{WEBHOOK_USER}:{WEBHOOK_PASSWORD}".encode()).decode()
    headers = {"Content-Type": "application/json", "Authorization": auth, "User-Agent": "Infobip-Webhooks"}
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        work = Path(tmp)
        bot_db, bare_db = work / "bot.sqlite3", work / "bare.sqlite3"
        provider_ids = seed_requests(bot_db, requests)
        total = warmup + rounds * events
        bodies = webhook_bodies(provider_ids, total, datetime(2025, 6, 1, tzinfo=UTC))
        trivial = ServerProcess(["-m", "bench.servers", "trivial"]).ready()
        try:
            load(trivial.url + "/", bodies[:warmup], headers, concurrency=concurrency, seconds=seconds)
            ceiling = load(
                trivial.url + "/", bodies[warmup : warmup + events], headers, concurrency=concurrency, seconds=seconds
            )
            httpx_ceiling = load(
                trivial.url + "/",
                bodies[warmup : warmup + events],
                headers,
                concurrency=concurrency,
                seconds=min(seconds, 3.0),
                client="httpx",
            )
        finally:
            trivial.stop()
        # The bot's Slack client points nowhere: its outbox is paused and nothing here calls Slack.
        bot = ServerProcess(
            ["-m", "bench.servers", "bot", "--outbox", "paused"], env=bot_env("http://127.0.0.1:9/api/", bot_db)
        ).ready()
        bare = ServerProcess(["-m", "bench.servers", "bare-store", "--db", str(bare_db)]).ready()
        runs: dict[str, list[Load]] = {"bot": [], "bare": []}
        try:
            urls = {"bot": bot.url + "/webhooks/infobip", "bare": bare.url + "/webhooks/infobip"}
            for url in urls.values():
                load(url, bodies[:warmup], headers, concurrency=concurrency, seconds=seconds)
            rss_before = bot.rss_mib()
            offset = warmup
            for _ in range(rounds):
                chunk = bodies[offset : offset + events]
                offset += events
                for name, url in urls.items():
                    runs[name].append(load(url, chunk, headers, concurrency=concurrency, seconds=seconds))
            rss = {"bot": bot.rss_mib(), "bare": bare.rss_mib()}
        finally:
            bot.stop()
            bare.stop()
        applied = _count(bot_db, "SELECT COUNT(*) FROM events WHERE became_current = 1")
        stored = _count(bare_db, "SELECT COUNT(*) FROM events")
        queued = _count(bot_db, "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL")

    def rate(name: str) -> float:
        return sum(r.ok for r in runs[name]) / sum(r.elapsed for r in runs[name])

    def p99(name: str) -> float:
        return percentile([x for r in runs[name] for x in r.latencies_ms], 99)

    ok = {name: sum(r.ok for r in loads) for name, loads in runs.items()}
    failures = {name: sum(sum(r.errors.values()) + r.sent - r.ok for r in loads) for name, loads in runs.items()}
    bot_rate, bare_rate = rate("bot"), rate("bare")
    result.figures += [
        Figure(
            f"3. webhook ingestion, {concurrency} senders",
            bot_rate,
            bare_rate,
            "ev/s",
            ">= 1000 ev/s and ratio >= 0.7",
            met=bot_rate >= 1000 and bot_rate / bare_rate >= 0.7,
        ),
        Figure("3. webhook latency p99", p99("bot"), p99("bare"), "ms"),
        Figure(
            "3. load generator ceiling, trivial endpoint",
            ceiling.per_second,
            None,
            "req/s",
            note=f"httpx client: {httpx_ceiling.per_second:.0f}",
        ),
        Figure("5. RSS at end of benchmark 3", rss["bot"], rss["bare"], "MiB", note="bare: bare-store"),
    ]
    result.details = {
        "ok": ok,
        "failures": failures,
        "applied_in_bot_store": applied,
        "stored_in_bare_store": stored,
        # every 200 is in the store (warm-up included), and nothing else is
        "every_200_committed": applied == ok["bot"] + warmup and stored == ok["bare"] + warmup,
        "outbox_queued": queued,
        "rss_before_mib": rss_before,
        "runs_per_s": {name: [round(r.per_second) for r in loads] for name, loads in runs.items()},
    }
    result.seconds = time.monotonic() - started
    return result
