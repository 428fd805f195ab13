"""`/readyz`: 200 only when Slack is usable (Socket Mode connected, or over HTTP the bot token
answered auth.test) and the database answers; else 503 naming what is not. `/healthz` stays
"the process is alive"."""

from __future__ import annotations

import asyncio
import logging
import threading
import time

import httpx
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox.slack import SlackStandIn
from bot.slack.auth_watch import watch_auth
from bot.slack.link import HTTP, Backoff, SlackLink
from tests.support.world import BOTH_TRANSPORTS


def _sleep(db, seconds: float) -> None:  # module-level: the store's process gets it by name
    time.sleep(seconds)


def readiness(world) -> tuple[int, dict]:
    answer = httpx.get(world.bot_url + "/readyz", timeout=5)
    return answer.status_code, answer.json()


@BOTH_TRANSPORTS
def test_ready_when_slack_is_usable_and_the_database_answers(world):
    world.wait(lambda: readiness(world)[0] == 200, what="/readyz 200")
    _, body = readiness(world)
    assert body["ready"] is True and body["not_ready"] == []
    assert body["slack"]["transport"] == world.transport
    assert body["slack"]["state"] == ("connected" if world.transport == "socket_mode" else "verified")
    assert body["database"] == {"ready": True, "detail": "answers"}
    assert httpx.get(world.bot_url + "/healthz", timeout=5).status_code == 200
    if world.transport == "http":
        assert world.slack.calls("auth.test")  # what "verified" rests on
    else:
        assert world.slack.calls("apps.connections.open")[-1].ok


def test_a_database_that_does_not_answer_in_time_is_not_ready(world):
    world.wait(lambda: readiness(world)[0] == 200, what="/readyz 200")

    def hold_the_store() -> None:
        # The store busy for longer than a probe may wait: as behind a long write.
        asyncio.run(world.services.store.run(_sleep, 2.5))

    holder = threading.Thread(target=hold_the_store)
    holder.start()
    time.sleep(0.2)
    status, body = readiness(world)
    holder.join(10)
    assert status == 503 and body["not_ready"] == ["database"], body
    assert body["slack"]["ready"] is True and "busy" in body["database"]["detail"]
    assert readiness(world)[0] == 200


@pytest.mark.allow_error_logs("a refused bot token is logged once, as an error: the test provokes it")
async def test_over_http_a_refused_bot_token_is_said_once_however_often_it_is_checked(caplog):
    link = SlackLink(HTTP)
    with SlackStandIn() as slack:
        client = AsyncWebClient(token="xoxb-0000000000-revoked-bot-token", base_url=slack.api_url)
        watch = asyncio.create_task(watch_auth(client, link, recheck_seconds=0.05))
        try:
            await slack.wait_for_async(lambda s: len(s.calls("auth.test")) >= 4)
        finally:
            watch.cancel()
    assert link.state == "refused" and not link.ready
    assert "SLACK_BOT_TOKEN" in link.detail and "invalid_auth" in link.detail
    said = [r for r in caplog.records if "SLACK_BOT_TOKEN" in r.getMessage()]
    assert len(said) == 1 and said[0].levelname == "ERROR"


async def test_over_http_an_unreachable_slack_is_retried_and_said_once_then_verified(caplog):
    caplog.set_level(logging.INFO, logger="bot.slack.link")
    link = SlackLink(HTTP)
    with SlackStandIn() as slack:
        slack.set_fault(503, methods="auth.test", times=3)
        client = AsyncWebClient(token=slack.config.bot_token, base_url=slack.api_url)
        watch = asyncio.create_task(watch_auth(client, link, backoff=Backoff(first=0.05, cap=0.1)))
        try:
            while not link.ready:
                await asyncio.sleep(0.02)
        finally:
            watch.cancel()
        assert [c.status for c in slack.calls("auth.test")] == [503, 503, 503, 200]
    assert link.state == "verified"
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.slack.link"]
    assert len(lines) == 2 and "unreachable" in lines[0] and "verified" in lines[1], lines
    assert "after" in lines[1] and "unreachable" in lines[1]  # the recovery says what it recovered from
