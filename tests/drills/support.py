"""Helpers for the fault drills: the bot as a separate process, webhook bodies, thread checks."""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import sqlite_utils

from bot.sandbox.slack.web_api import SlackStandIn
from bot.store import outbox
from bot.store.requests import RequestRecord, create_request, update_request
from tests.support.infobip_webhooks import infobip_time
from tests.support.waiting import wait_until

REPO = Path(__file__).resolve().parents[2]
SIGNING_SECRET = "drill-signing-secret-not-a-real-one"
WEBHOOK_USER, WEBHOOK_PASSWORD = "drill-hooks", "drill-hooks-password-0123"
REQUESTER = "U0ALICE001"
_LISTENING = re.compile(r"resourcebot listening on (http://\S+?):(\d+)")


class BotProcess:
    """`python -m bot serve --port 0` in its own process, its log kept for failure reports."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.env = {**os.environ, **env, "PYTHONUNBUFFERED": "1"}
        self.cwd = cwd  # not the repo: a developer's .env there must not leak into the drill
        self.proc: subprocess.Popen | None = None
        self.url = ""
        self.log: list[str] = []

    def start(self, timeout: float = 30.0) -> BotProcess:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--port", "0"],
            cwd=self.cwd,
            env={**self.env, "PYTHONPATH": str(REPO)},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        found = threading.Event()

        def read() -> None:
            assert self.proc and self.proc.stdout
            for line in self.proc.stdout:
                self.log.append(line.rstrip())
                match = _LISTENING.search(line)
                if match and not found.is_set():
                    self.url = f"{match.group(1)}:{match.group(2)}"
                    found.set()
            found.set()

        threading.Thread(target=read, name="bot-log", daemon=True).start()
        if not found.wait(timeout) or not self.url:
            self.stop()
            raise AssertionError("the bot did not start:\n" + self.tail())
        wait_until(self._healthy, timeout, "the bot's /healthz")
        return self

    def _healthy(self) -> bool:
        try:
            return httpx.get(self.url + "/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def health(self) -> dict:
        return httpx.get(self.url + "/healthz", timeout=5).json()

    def kill(self) -> None:
        """SIGKILL: no shutdown hook, no flush, no goodbye."""
        assert self.proc
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log[-lines:])


def bot_env(*, slack: SlackStandIn, infobip_url: str, infobip_key: str, db_path: Path) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": slack.config.bot_token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.api_url,
        "INFOBIP_BASE_URL": infobip_url,
        "INFOBIP_API_KEY": infobip_key,
        "INFOBIP_WEBHOOK_USERNAME": WEBHOOK_USER,
        "INFOBIP_WEBHOOK_PASSWORD": WEBHOOK_PASSWORD,
        "RESOURCEBOT_DB": str(db_path),
        "RESOURCEBOT_RECONCILE_SECONDS": "0",  # threads hold only what the drill sent
    }


def basic_auth(user: str = WEBHOOK_USER, password: str = WEBHOOK_PASSWORD) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@dataclass(frozen=True)
class DrillEvent:
    """One status webhook; `label` is carried in its note, so its thread reply can be found."""

    provider_request_id: str
    seq: int
    status: str
    at: datetime

    @property
    def label(self) -> str:
        return f"drill:{self.provider_request_id}:{self.seq:04d}"

    def body(self) -> bytes:
        return json.dumps(
            {
                "results": [
                    {
                        "event": "RESOURCE_REQUEST_STATUS_UPDATE",
                        "receivedAt": infobip_time(self.at),
                        "content": {
                            "id": self.provider_request_id,
                            "status": self.status,
                            "type": "NUMBER_PURCHASE",
                            "requirementsFeedback": [],
                            "note": self.label,
                        },
                        "platform": {"applicationId": "default"},
                    }
                ]
            }
        ).encode()


def event_series(provider_request_id: str, count: int, start: datetime) -> list[DrillEvent]:
    """Events that each become the shown status: newer every time, alternating between the two
    statuses Infobip notifies that are not final."""
    statuses = ("UPDATE_REQUESTED", "UPDATE_REQUESTED_BY_INTERNAL_REVIEWER")
    return [DrillEvent(provider_request_id, i, statuses[i % 2], start + timedelta(seconds=i)) for i in range(count)]


def seed_requests(
    db: sqlite_utils.Database,
    slack: SlackStandIn,
    channels: Iterable[str],
    per_channel: int,
    *,
    post_roots: bool = True,
) -> list[RequestRecord]:
    """Requests the bot knows about, each with its thread root already in the channel (posted
    through the stand-in's API as the bot would) or queued in the outbox (`post_roots=False`)."""
    made = []
    status_at = (datetime.now(UTC) - timedelta(hours=1)).isoformat(timespec="milliseconds")
    for channel in channels:
        for i in range(per_channel):
            pid = f"{channel[-4:]}{i:03d}-0000-4000-8000-000000000000"
            with db.atomic():
                request = create_request(
                    db,
                    provider="infobip",
                    provider_request_id=pid,
                    kind="NUMBER_PURCHASE",
                    country="NL",
                    number_type="VIRTUAL_LONG_NUMBER",
                    capabilities=["SMS"],
                    quantity=1,
                    requester=REQUESTER,
                    channel=channel,
                    status="IN_REVIEW",
                    status_at=status_at,
                    submitted={"requirements": [], "labels": {}},
                )
                if not post_roots:
                    outbox.enqueue(db, request.id, outbox.THREAD_ROOT)
            if post_roots:
                status, answer, _ = slack.call(
                    "chat.postMessage", {"channel": channel, "text": f"root {request.id}"}, slack.config.bot_token
                )
                assert status == 200 and answer["ok"], answer
                request = update_request(db, request.id, thread_ts=answer["ts"])
            made.append(request)
    return made


def reply_labels(slack: SlackStandIn, channel: str, thread_ts: str) -> list[str]:
    """The drill labels of a thread's replies, in thread order (a label posted twice shows twice)."""
    labels = []
    for message in slack.thread(channel, thread_ts)[1:]:
        labels.extend(re.findall(r"drill:[^:\s\"]+:\d{4}", json.dumps(message.get("blocks") or message.get("text"))))
    return labels


@dataclass
class ThreadCheck:
    missing: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    out_of_order: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.duplicated or self.out_of_order or self.unexpected)


def check_threads(
    slack: SlackStandIn,
    requests: list[RequestRecord],
    sent: dict[str, list[DrillEvent]],
    must_have: set[str],
    may_have: set[str],
) -> ThreadCheck:
    """Every label in `must_have` exactly once, any in `may_have` at most once, nothing else, and
    per thread in the order the events were sent."""
    check = ThreadCheck()
    for request in requests:
        labels = reply_labels(slack, request.channel or "", request.thread_ts or "")
        order = {e.label: e.seq for e in sent.get(request.provider_request_id or "", [])}
        seen: set[str] = set()
        for label in labels:
            if label in seen:
                check.duplicated.append(label)
            seen.add(label)
            if label not in must_have and label not in may_have:
                check.unexpected.append(label)
        check.missing.extend(sorted(lbl for lbl in must_have if lbl in order and lbl not in seen))
        seqs = [order[lbl] for lbl in dict.fromkeys(labels) if lbl in order]
        if seqs != sorted(seqs):
            check.out_of_order.append(f"{request.id}: {seqs}")
    return check
