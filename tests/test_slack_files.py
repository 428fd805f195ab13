"""Fetching attached files from Slack: the size cap holds while streaming (after decompression),
the token stays on Slack's own origin (https, port 443) or one configured by name."""

from __future__ import annotations

import socket
import tracemalloc
import zlib

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

from bot.background_server import BackgroundServer
from bot.sandbox.slack.web_api import SlackStandIn
from bot.slack.files import SLACK_FILE_ORIGINS, SlackFileError, download_file, origin_of, parse_origins


@pytest.fixture
def slack():
    with SlackStandIn() as standin:
        yield standin


def hosts(standin: SlackStandIn) -> frozenset:
    """Slack's own origin and the stand-in's, as RESOURCEBOT_SLACK_FILE_ORIGINS names it in tests."""
    return SLACK_FILE_ORIGINS | parse_origins(standin.url)


async def test_a_file_whose_declared_size_lies_is_cut_off_at_the_cap(slack):
    file = slack.add_file("scan.pdf", "application/pdf", b"%PDF" + b"x" * 5000)
    file.pop("size")
    async with httpx.AsyncClient() as http:
        with pytest.raises(SlackFileError, match="larger than"):
            await download_file(http, file, slack.config.bot_token, allowed_origins=hosts(slack), max_bytes=1000)
        fetched = await download_file(http, file, slack.config.bot_token, allowed_origins=hosts(slack))
    assert fetched.content.startswith(b"%PDF") and fetched.name == "scan.pdf"


async def test_the_token_is_never_sent_to_a_host_that_is_not_slack(slack):
    file = slack.add_file("scan.pdf", "application/pdf", b"%PDF")
    file["url_private_download"] = "https://attacker.example/steal"
    sent: list[httpx.Request] = []

    async def record(request: httpx.Request) -> None:
        sent.append(request)

    async with httpx.AsyncClient(event_hooks={"request": [record]}) as http:
        with pytest.raises(SlackFileError, match="not stored on Slack"):
            await download_file(http, file, slack.config.bot_token, allowed_origins=hosts(slack))
    assert sent == []


@pytest.mark.parametrize(
    "url",
    [
        "http://files.slack.com/files-pri/T1-F1/scan.pdf",  # not https
        "https://files.slack.com:8443/files-pri/T1-F1/scan.pdf",  # not port 443
        "ftp://files.slack.com/files-pri/T1-F1/scan.pdf",
        "https://files.slack.com.attacker.example/scan.pdf",
        "https://files.slack.com:notaport/scan.pdf",
    ],
)
async def test_only_https_on_port_443_of_slacks_file_host_gets_the_token(slack, url):
    file = slack.add_file("scan.pdf", "application/pdf", b"%PDF")
    file["url_private_download"] = url
    sent: list[httpx.Request] = []

    async def record(request: httpx.Request) -> None:
        sent.append(request)

    async with httpx.AsyncClient(event_hooks={"request": [record]}) as http:
        with pytest.raises(SlackFileError, match="not stored on Slack"):
            await download_file(http, file, slack.config.bot_token, allowed_origins=hosts(slack))
    assert sent == []


async def test_another_port_on_the_stand_ins_host_is_not_trusted_for_being_local(slack):
    file = slack.add_file("scan.pdf", "application/pdf", b"%PDF")
    scheme, host, port = origin_of(slack.url)
    file["url_private_download"] = f"{scheme}://{host}:{port + 1}/files/x"
    async with httpx.AsyncClient() as http:
        with pytest.raises(SlackFileError, match="not stored on Slack"):
            await download_file(http, file, slack.config.bot_token, allowed_origins=hosts(slack))


def test_origins_are_read_from_the_setting_with_their_ports():
    assert parse_origins("http://127.0.0.1:5555, https://files.example") == {
        ("http", "127.0.0.1", 5555),
        ("https", "files.example", 443),
    }
    with pytest.raises(ValueError):
        parse_origins("ftp://files.example")


def _gzip_bomb(inflated: int) -> bytes:
    packer = zlib.compressobj(1, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    zeros = bytes(1024 * 1024)
    return b"".join(packer.compress(zeros) for _ in range(inflated // len(zeros))) + packer.flush()


async def test_a_gzip_bomb_is_cut_off_at_the_cap_without_being_inflated():
    bomb = _gzip_bomb(1024 * 1024 * 1024)  # ~1 MB that inflates to 1 GiB

    async def serve(request):
        return Response(bomb, media_type="application/pdf", headers={"Content-Encoding": "gzip"})

    with BackgroundServer(Starlette(routes=[Route("/bomb", serve)])) as server:
        file = {"id": "F1", "name": "bomb.pdf", "url_private_download": server.url + "/bomb"}
        async with httpx.AsyncClient() as http:
            tracemalloc.start()
            try:
                with pytest.raises(SlackFileError, match="larger than"):
                    await download_file(
                        http, file, "xoxb-test", allowed_origins=parse_origins(server.url), max_bytes=10 * 1024 * 1024
                    )
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
    # The server's copy of the bomb is traced too (it runs in this process): ~1 MB.
    assert peak < 30 * 1024 * 1024, f"peaked at {peak / 2**20:.0f} MiB"


async def test_a_small_gzip_file_is_inflated_and_a_network_error_is_said_plainly():
    content = b"%PDF" + b"a" * 5000

    async def serve(request):
        return Response(_gzip_of(content), media_type="application/pdf", headers={"Content-Encoding": "gzip"})

    with BackgroundServer(Starlette(routes=[Route("/f", serve)])) as server:
        file = {"id": "F1", "name": "scan.pdf", "url_private_download": server.url + "/f"}
        async with httpx.AsyncClient() as http:
            fetched = await download_file(http, file, "xoxb-test", allowed_origins=parse_origins(server.url))
    assert fetched.content == content
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}/f"
    async with httpx.AsyncClient() as http:
        with pytest.raises(SlackFileError, match="could not be fetched from Slack"):
            await download_file(
                http, {"name": "scan.pdf", "url_private_download": url}, "xoxb-test", allowed_origins=parse_origins(url)
            )


def _gzip_of(content: bytes) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    return packer.compress(content) + packer.flush()
