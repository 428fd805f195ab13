"""Drill: `resourcebot serve` in Socket Mode when Slack will not let it connect.

Slack unreachable at start (apps.connections.open never answered, as behind a firewall that drops
packets), or the app token refused (revoked): either way the bot serves at once — `/healthz` 200
within 2 s of it listening, provider webhooks accepted and their thread replies posted — while
`/readyz` answers 503 naming Slack, until the stand-in lets the connection in. The refusal is
logged once, naming SLACK_APP_TOKEN, with no traceback. SIGTERM ends the process within 2 s in
every state: connected, waiting in backoff, and in the middle of reconnecting. And `resourcebot
check` in Socket Mode asks for no signing secret, and names a refused app token.

The bot is a real process with no SLACK_SIGNING_SECRET (Socket Mode needs none), running its
built-in Infobip sandbox; the Slack stand-in runs in this process and plays Slack.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from bot.sandbox.slack import SlackDriver, SlackStandIn
from bot.store.db import open_database
from tests.drills.support import (
    REPO,
    REQUESTER,
    WEBHOOK_PASSWORD,
    WEBHOOK_USER,
    BotProcess,
    DrillEvent,
    basic_auth,
    reply_labels,
    seed_requests,
)
from tests.support.waiting import wait_until

CHANNEL = "C0RESOURCE"
SERVES_WITHIN = 2.0  # seconds from "listening" to /healthz 200, whatever Slack does
EXITS_WITHIN = 2.0  # seconds from SIGTERM to the process gone


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    with SlackStandIn() as standin:
        yield standin


def socket_mode_env(slack: SlackStandIn, db_path: Path) -> dict[str, str]:
    """Socket Mode settings and nothing more: no signing secret, no Infobip account (the bot runs
    its own sandbox), webhook credentials the drill knows."""
    return {
        "SLACK_BOT_TOKEN": slack.config.bot_token,
        "SLACK_APP_TOKEN": slack.config.app_token,
        "SLACK_API_URL": slack.api_url,
        "SLACK_SIGNING_SECRET": "",
        "INFOBIP_BASE_URL": "",
        "INFOBIP_API_KEY": "",
        "INFOBIP_WEBHOOK_USERNAME": WEBHOOK_USER,
        "INFOBIP_WEBHOOK_PASSWORD": WEBHOOK_PASSWORD,
        "RESOURCEBOT_DB": str(db_path),
        "RESOURCEBOT_RECONCILE_SECONDS": "0",
    }


def start_timed(bot: BotProcess) -> float:
    """Start the bot; seconds from its "listening" log line to the first /healthz 200."""
    starting = threading.Thread(target=bot.start, daemon=True)
    starting.start()
    wait_until(lambda: bot.url, 30, "the bot's listening line", interval=0.005)
    listening = time.monotonic()
    wait_until(lambda: _status(bot, "/healthz") == 200, 10, "/healthz 200:\n" + bot.tail(), interval=0.01)
    served = time.monotonic() - listening
    starting.join(30)
    return served


def _status(bot: BotProcess, path: str) -> int | None:
    try:
        return httpx.get(bot.url + path, timeout=2).status_code
    except httpx.HTTPError:
        return None


def readiness(bot: BotProcess) -> tuple[int, dict]:
    answer = httpx.get(bot.url + "/readyz", timeout=5)
    return answer.status_code, answer.json()


def exit_seconds_after_sigterm(bot: BotProcess) -> float:
    assert bot.proc and bot.proc.poll() is None
    bot.proc.terminate()
    sent = time.monotonic()
    bot.proc.wait(10)
    return time.monotonic() - sent


def webhook_reaches_its_thread(bot: BotProcess, slack: SlackStandIn, request) -> None:
    """A status webhook for a request the bot knows is answered 200 and its reply is posted."""
    event = DrillEvent(request.provider_request_id, 0, "UPDATE_REQUESTED", datetime.now(UTC))
    answer = httpx.post(
        bot.url + "/webhooks/infobip",
        content=event.body(),
        timeout=10,
        headers={"Authorization": basic_auth(), "Content-Type": "application/json"},
    )
    assert answer.status_code == 200, answer.text
    wait_until(
        lambda: reply_labels(slack, CHANNEL, request.thread_ts) == [event.label],
        15,
        "the webhook's reply in the thread",
    )


def no_tracebacks(bot: BotProcess) -> None:
    assert not [line for line in bot.log if "Traceback" in line], bot.tail()


def test_slack_unreachable_at_start_then_let_in(slack: SlackStandIn, tmp_path: Path) -> None:
    slack.socket_mode.make_unreachable()
    [request] = seed_requests(open_database(tmp_path / "bot.sqlite3"), slack, [CHANNEL], 1)
    bot = BotProcess(socket_mode_env(slack, tmp_path / "bot.sqlite3"), tmp_path)
    try:
        assert start_timed(bot) < SERVES_WITHIN, bot.tail()
        status, body = readiness(bot)
        assert status == 503 and body["not_ready"] == ["slack"], body
        assert body["slack"]["transport"] == "socket_mode" and body["database"]["ready"] is True
        webhook_reaches_its_thread(bot, slack, request)
        assert readiness(bot)[0] == 503  # still held: nothing got through
        # Unsigned (or signed with a guess) requests to /slack/events: no secret, so all refused.
        assert (
            httpx.post(
                bot.url + "/slack/events",
                data={"command": "/resource"},
                timeout=5,
                headers={"X-Slack-Signature": "v0=" + "0" * 64, "X-Slack-Request-Timestamp": str(int(time.time()))},
            ).status_code
            == 401
        )

        slack.socket_mode.let_in()
        wait_until(lambda: readiness(bot)[0] == 200, 20, "/readyz 200 once Slack lets the bot in")
        status, body = readiness(bot)
        assert body["slack"]["state"] == "connected" and body["not_ready"] == []
        driver = SlackDriver.over_socket_mode(slack)
        help_text = driver.slash_command("/resource", "help", user=REQUESTER, channel=CHANNEL)
        assert help_text.status == 200 and help_text.in_time and "/resource" in help_text.text
        no_tracebacks(bot)
        assert exit_seconds_after_sigterm(bot) < EXITS_WITHIN, bot.tail()
    finally:
        bot.stop()


def test_a_refused_app_token_is_said_once_and_the_bot_serves_anyway(slack: SlackStandIn, tmp_path: Path) -> None:
    slack.socket_mode.refuse_token()
    [request] = seed_requests(open_database(tmp_path / "bot.sqlite3"), slack, [CHANNEL], 1)
    bot = BotProcess(socket_mode_env(slack, tmp_path / "bot.sqlite3"), tmp_path)
    try:
        assert start_timed(bot) < SERVES_WITHIN, bot.tail()
        wait_until(lambda: readiness(bot)[1]["slack"]["state"] == "refused", 10, "the refusal in /readyz")
        status, body = readiness(bot)
        assert status == 503 and body["not_ready"] == ["slack"]
        assert "SLACK_APP_TOKEN" in body["slack"]["detail"] and "invalid_auth" in body["slack"]["detail"]
        webhook_reaches_its_thread(bot, slack, request)
        assert readiness(bot)[0] == 503
        said = [line for line in bot.log if "SLACK_APP_TOKEN" in line]
        assert len(said) == 1 and "ERROR" in said[0], bot.tail()
        no_tracebacks(bot)
        assert slack.calls("apps.connections.open")[0].error == "invalid_auth"
        assert exit_seconds_after_sigterm(bot) < EXITS_WITHIN, bot.tail()  # waiting in backoff
    finally:
        bot.stop()


def test_sigterm_in_the_middle_of_reconnecting(slack: SlackStandIn, tmp_path: Path) -> None:
    bot = BotProcess(socket_mode_env(slack, tmp_path / "bot.sqlite3"), tmp_path)
    try:
        assert start_timed(bot) < SERVES_WITHIN, bot.tail()
        wait_until(lambda: readiness(bot)[0] == 200, 20, "/readyz 200")
        opened = len(slack.calls("apps.connections.open"))
        slack.socket_mode.make_unreachable()
        slack.socket_mode.drop_connections()  # the network goes, and apps.connections.open with it
        wait_until(lambda: readiness(bot)[1]["slack"]["state"] == "reconnecting", 15, "the bot to notice")
        time.sleep(0.3)  # its apps.connections.open is held now
        assert len(slack.calls("apps.connections.open")) == opened  # no answer got through
        assert _status(bot, "/healthz") == 200
        assert exit_seconds_after_sigterm(bot) < EXITS_WITHIN, bot.tail()
        no_tracebacks(bot)
    finally:
        bot.stop()


def test_check_in_socket_mode_asks_for_no_signing_secret_and_names_a_refused_app_token(
    slack: SlackStandIn, tmp_path: Path
) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "INFOBIP_", "CM_", "RESOURCEBOT_"))},
        **socket_mode_env(slack, tmp_path / "bot.sqlite3"),
        "PYTHONPATH": str(REPO),
    }
    del env["SLACK_SIGNING_SECRET"]

    def check() -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "bot", "check"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    fine = check()
    assert fine.returncode == 0, fine.stdout + fine.stderr
    assert "SLACK_SIGNING_SECRET" not in fine.stdout + fine.stderr
    slack.socket_mode.refuse_token()
    refused = check()
    assert refused.returncode == 2 and "SLACK_APP_TOKEN" in refused.stdout and "invalid_auth" in refused.stdout
    assert "SLACK_SIGNING_SECRET" not in refused.stdout + refused.stderr
