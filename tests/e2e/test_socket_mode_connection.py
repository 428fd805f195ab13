"""The bot's Socket Mode connection (bot/slack/socket_mode.py) against the Slack stand-in: Slack
moving it to a new connection, a connection cut, and the retries while Slack refuses or is down,
each said once in the log, however many attempts it takes."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox.slack import SlackStandIn
from bot.slack.link import SOCKET_MODE as LINK_SOCKET_MODE
from bot.slack.link import Backoff, SlackLink
from bot.slack.socket_mode import SocketModeSupervisor
from tests.support.names import ALICE, CHANNEL
from tests.support.world import SOCKET_MODE_ONLY


def ready(world) -> bool:
    return httpx.get(world.bot_url + "/readyz", timeout=5).status_code == 200


def help_works(world) -> bool:
    answer = world.driver.slash_command("/resource", "help", user=ALICE, channel=CHANNEL)
    return answer.status == 200 and answer.in_time and "/resource" in answer.text


@SOCKET_MODE_ONLY
def test_slack_moves_the_bot_to_a_new_connection_and_nothing_is_missed(world):
    [old] = world.slack.socket_mode.connections()
    new = world.driver.ask_to_reconnect("refresh_requested", close_after=2.0)
    assert new.id > old.id
    assert ready(world)
    # While the old connection is still open, envelopes go to the new one, and are answered.
    assert help_works(world)
    assert world.slack.socket_mode.deliveries()[-1].connection == new.id
    world.slack.socket_mode.wait_for(lambda s: [c.id for c in s.connections()] == [new.id], 5)
    assert ready(world) and help_works(world)
    new_after_warning = world.driver.ask_to_reconnect("warning", close_after=0.5)
    assert new_after_warning.id > new.id and help_works(world)


@SOCKET_MODE_ONLY
def test_a_cut_connection_is_opened_again(world):
    [old] = world.slack.socket_mode.connections()
    world.slack.socket_mode.drop_connections()
    new = world.slack.socket_mode.wait_for_connection(10, newer_than=old.id)
    world.wait(lambda: ready(world), what="/readyz 200 again")
    assert help_works(world) and world.slack.socket_mode.deliveries()[-1].connection == new.id


def supervisor(slack: SlackStandIn, link: SlackLink) -> SocketModeSupervisor:
    bolt = AsyncApp(client=AsyncWebClient(token=slack.config.bot_token, base_url=slack.api_url))
    return SocketModeSupervisor(
        bolt,
        slack.config.app_token,
        slack.api_url,
        link,
        backoff=Backoff(first=0.05, cap=0.1),
        refused_backoff=Backoff(first=0.05, cap=0.1),
    )


def link_lines(caplog) -> list[str]:
    return [f"{r.levelname} {r.getMessage()}" for r in caplog.records if r.name.startswith("bot.slack")]


@pytest.mark.allow_error_logs("a refused app token is logged once, as an error: the test provokes it")
async def test_a_refused_token_is_said_once_however_often_it_is_tried(caplog):
    caplog.set_level(logging.INFO, logger="bot.slack")
    link = SlackLink(LINK_SOCKET_MODE)
    with SlackStandIn() as slack:
        slack.socket_mode.refuse_token()
        running = asyncio.create_task(supervisor(slack, link).run())
        try:
            await slack.wait_for_async(lambda s: len(s.calls("apps.connections.open")) >= 5)
            assert link.state == "refused" and "SLACK_APP_TOKEN" in link.detail
            slack.socket_mode.let_in()  # a new token: the next attempt connects
            await asyncio.to_thread(slack.socket_mode.wait_for, lambda s: s.connections(), 5)
            while not link.ready:
                await asyncio.sleep(0.02)
        finally:
            running.cancel()
            await asyncio.gather(running, return_exceptions=True)
        await asyncio.to_thread(slack.socket_mode.wait_for, lambda s: not s.connections(), 5)  # closed on cancel
    lines = link_lines(caplog)
    assert len([line for line in lines if "SLACK_APP_TOKEN" in line]) == 1, lines
    assert lines[0].startswith("ERROR") and lines[-1].startswith("INFO Slack link connected"), lines
    assert not any(r.exc_info for r in caplog.records), "no traceback for a retry"


async def test_an_unavailable_slack_is_retried_with_backoff_and_said_once(caplog):
    caplog.set_level(logging.INFO, logger="bot.slack")
    link = SlackLink(LINK_SOCKET_MODE)
    with SlackStandIn() as slack:
        slack.set_fault(503, methods="apps.connections.open", times=4)
        running = asyncio.create_task(supervisor(slack, link).run())
        try:
            while not link.ready:
                await asyncio.sleep(0.02)
        finally:
            running.cancel()
            await asyncio.gather(running, return_exceptions=True)
        assert [c.status for c in slack.calls("apps.connections.open")] == [503] * 4 + [200]
    lines = link_lines(caplog)
    assert len(lines) == 2, lines
    assert lines[0].startswith("WARNING Slack link unreachable") and "503" in lines[0]
    assert lines[1].startswith("INFO Slack link connected") and "after" in lines[1]
    assert not any(r.exc_info for r in caplog.records), "no traceback for a retry"


async def test_an_outage_after_a_cut_is_a_few_lines_not_one_per_ping(caplog, monkeypatch):
    monkeypatch.setattr("bot.slack.socket_mode.PING_SECONDS", 0.05)  # the library's monitor ticks this often
    caplog.set_level(logging.INFO, logger="bot.slack")
    link = SlackLink(LINK_SOCKET_MODE)
    with SlackStandIn() as slack:
        running = asyncio.create_task(supervisor(slack, link).run())
        try:
            while not link.ready:
                await asyncio.sleep(0.02)
            caplog.clear()
            slack.set_fault(503, methods="apps.connections.open", seconds=1.0)
            slack.socket_mode.drop_connections()
            await asyncio.sleep(1.0)  # twenty pings' worth of outage
            assert not link.ready
            while not link.ready:
                await asyncio.sleep(0.02)
        finally:
            running.cancel()
            await asyncio.gather(running, return_exceptions=True)
        assert len(slack.calls("apps.connections.open")) >= 4  # it kept trying
    lines = [f"{r.name} {r.getMessage()}" for r in caplog.records if r.name.startswith("bot.slack")]
    assert len(lines) <= 4, lines  # lost, unreachable, connected (and the library's one CLOSE line)
    assert sum("Slack link" in line for line in lines) == 3, lines
