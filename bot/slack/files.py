"""Downloading files people attach in a modal (`file_input`), safely.

The bot token goes only to Slack's own file host, over https on port 443, redirects included;
another origin (the Slack stand-in in tests and the demo) only when it is configured by name
(RESOURCEBOT_SLACK_FILE_ORIGINS), never because it looks like Slack. A wrong token or a missing
`files:read` scope makes Slack answer 200 with an HTML sign-in page instead of the file, so HTML
is refused. Size is checked before and while downloading, after decompression: a small gzip
that inflates to a gigabyte is cut off at the cap without ever being inflated whole.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from bot.domain.forms import MAX_FILE_BYTES

Origin = tuple[str, str, int]  # scheme, host, port
SLACK_FILE_ORIGINS: frozenset[Origin] = frozenset({("https", "files.slack.com", 443)})
_DEFAULT_PORTS = {"https": 443, "http": 80}
_MAX_REDIRECTS = 3
_CHUNK = 64 * 1024


class SlackFileError(Exception):
    """A file could not be fetched; the message is meant for the person who attached it."""


def origin_of(url: str) -> Origin | None:
    """(scheme, host, port) of a URL, the port filled in; None for one that has no such origin."""
    try:
        parts = urlsplit(url)
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme)
    except ValueError:  # a port that is not a number
        return None
    if not parts.hostname or port is None:
        return None
    return parts.scheme, parts.hostname.lower(), port


def parse_origins(text: str) -> frozenset[Origin]:
    """ "http://127.0.0.1:5555,https://files.example" → their origins; ValueError for one that is not a URL."""
    origins = set()
    for item in filter(None, (part.strip() for part in text.split(","))):
        origin = origin_of(item)
        if origin is None or origin[0] not in _DEFAULT_PORTS:
            raise ValueError(f"not an http(s) origin: {item}")
        origins.add(origin)
    return frozenset(origins)


class _Inflater:
    """Content-Encoding undone a piece at a time, never producing more than `room` bytes at once."""

    def __init__(self, encoding: str) -> None:
        if encoding in ("", "identity"):
            self._zlib = None
        elif encoding in ("gzip", "x-gzip", "deflate"):
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib, by its header
        else:
            raise SlackFileError(f"Slack sent the file encoded as {encoding}, which the bot cannot read.")

    def feed(self, data: bytes, room: int) -> bytes:
        """Up to `room` + 1 bytes of what `data` inflates to (more than `room` means: too large)."""
        if self._zlib is None:
            return data
        out = self._zlib.decompress(data, room + 1)
        if self._zlib.unconsumed_tail:  # it inflates to more than there is room for
            return out + b"\0"
        return out


@dataclass(frozen=True)
class DownloadedFile:
    name: str
    content: bytes
    mimetype: str


def _size_text(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


async def download_file(
    http: httpx.AsyncClient,
    file: dict,
    token: str,
    *,
    allowed_origins: frozenset[Origin] = SLACK_FILE_ORIGINS,
    max_bytes: int = MAX_FILE_BYTES,
) -> DownloadedFile:
    """The file's bytes. Raises SlackFileError (worded for the person) for everything that can go
    wrong, network errors included."""
    try:
        return await _download(http, file, token, allowed_origins, max_bytes)
    except httpx.HTTPError as error:
        name = str(file.get("name") or file.get("title") or "the file")
        raise SlackFileError(
            f"“{name}” could not be fetched from Slack ({type(error).__name__}); attach it again."
        ) from error


async def _download(
    http: httpx.AsyncClient, file: dict, token: str, allowed_origins: frozenset[Origin], max_bytes: int
) -> DownloadedFile:
    name = str(file.get("name") or file.get("title") or file.get("id") or "file")
    declared = file.get("size")
    if isinstance(declared, int) and declared > max_bytes:
        raise SlackFileError(f"“{name}” is {_size_text(declared)}; files can be at most {_size_text(max_bytes)}.")
    url = file.get("url_private_download") or file.get("url_private")
    if not url:
        raise SlackFileError(f"Slack gave no download link for “{name}”.")
    for _ in range(_MAX_REDIRECTS + 1):
        if origin_of(url) not in allowed_origins:
            where = urlsplit(url).hostname or url[:40]
            raise SlackFileError(f"“{name}” is not stored on Slack ({where}); attach the file itself.")
        async with http.stream(
            "GET",
            url,
            headers={"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"},
            follow_redirects=False,
        ) as response:
            if response.is_redirect:
                url = urljoin(url, response.headers.get("location", ""))
                continue
            if response.status_code != 200:
                raise SlackFileError(f"Slack answered {response.status_code} for “{name}”; try attaching it again.")
            mimetype = response.headers.get("content-type", "").split(";")[0].strip().lower()
            if mimetype == "text/html" and file.get("mimetype") != "text/html":
                raise SlackFileError(
                    f"Slack sent a sign-in page instead of “{name}”: the bot's token or its files:read "
                    "permission is missing. Ask an admin to reinstall the app."
                )
            inflater = _Inflater(response.headers.get("content-encoding", "").strip().lower())
            chunks, total = [], 0
            async for raw in response.aiter_raw(_CHUNK):
                chunk = inflater.feed(raw, max_bytes - total)
                total += len(chunk)
                if total > max_bytes:
                    raise SlackFileError(f"“{name}” is larger than {_size_text(max_bytes)}, the most a file can be.")
                chunks.append(chunk)
            return DownloadedFile(name, b"".join(chunks), file.get("mimetype") or mimetype)
    raise SlackFileError(f"Slack redirected too often for “{name}”.")
