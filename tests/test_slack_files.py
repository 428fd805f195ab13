"""Fetching attached files from Slack: the size cap holds while streaming, the token stays on Slack's hosts."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
import pytest

from bot.sandbox.slack.web_api import SlackStandIn
from bot.slack.files import SlackFileError, download_file


@pytest.fixture
def slack():
    with SlackStandIn() as standin:
        yield standin


def hosts(standin: SlackStandIn) -> frozenset[str]:
    return frozenset({urlsplit(standin.url).hostname})


async def test_a_file_whose_declared_size_lies_is_cut_off_at_the_cap(slack):
    file = slack.add_file("scan.pdf", "application/pdf", b"%PDF" + b"x" * 5000)
    file.pop("size")
    async with httpx.AsyncClient() as http:
        with pytest.raises(SlackFileError, match="larger than"):
            await download_file(http, file, slack.config.bot_token, allowed_hosts=hosts(slack), max_bytes=1000)
        fetched = await download_file(http, file, slack.config.bot_token, allowed_hosts=hosts(slack))
    assert fetched.content.startswith(b"%PDF") and fetched.name == "scan.pdf"


async def test_the_token_is_never_sent_to_a_host_that_is_not_slack(slack):
    file = slack.add_file("scan.pdf", "application/pdf", b"%PDF")
    file["url_private_download"] = "https://attacker.example/steal"
    sent: list[httpx.Request] = []

    async def record(request: httpx.Request) -> None:
        sent.append(request)

    async with httpx.AsyncClient(event_hooks={"request": [record]}) as http:
        with pytest.raises(SlackFileError, match="not stored on Slack"):
            await download_file(http, file, slack.config.bot_token, allowed_hosts=hosts(slack))
    assert sent == []
