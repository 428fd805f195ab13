"""Downloading files people attach in a modal (`file_input`), safely.

The bot token goes only to Slack's own file hosts, redirects included. A wrong token or a
missing `files:read` scope makes Slack answer 200 with an HTML sign-in page instead of the
file, so HTML is refused. Size is checked before and while downloading.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from bot.domain.forms import MAX_FILE_BYTES

SLACK_FILE_HOSTS = frozenset({"files.slack.com"})
_MAX_REDIRECTS = 3


class SlackFileError(Exception):
    """A file could not be fetched; the message is meant for the person who attached it."""


@dataclass(frozen=True)
class DownloadedFile:
    name: str
    content: bytes
    mimetype: str


def _size_text(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


async def download_file(http: httpx.AsyncClient, file: dict, token: str, *,
                        allowed_hosts: frozenset[str] = SLACK_FILE_HOSTS,
                        max_bytes: int = MAX_FILE_BYTES) -> DownloadedFile:
    name = str(file.get("name") or file.get("title") or file.get("id") or "file")
    declared = file.get("size")
    if isinstance(declared, int) and declared > max_bytes:
        raise SlackFileError(f"“{name}” is {_size_text(declared)}; files can be at most {_size_text(max_bytes)}.")
    url = file.get("url_private_download") or file.get("url_private")
    if not url:
        raise SlackFileError(f"Slack gave no download link for “{name}”.")
    for _ in range(_MAX_REDIRECTS + 1):
        host = urlsplit(url).hostname or ""
        if host not in allowed_hosts:
            raise SlackFileError(f"“{name}” is not stored on Slack ({host}); attach the file itself.")
        async with http.stream("GET", url, headers={"Authorization": f"Bearer {token}"},
                               follow_redirects=False) as response:
            if response.is_redirect:
                url = urljoin(url, response.headers.get("location", ""))
                continue
            if response.status_code != 200:
                raise SlackFileError(f"Slack answered {response.status_code} for “{name}”; try attaching it again.")
            mimetype = response.headers.get("content-type", "").split(";")[0].strip().lower()
            if mimetype == "text/html" and file.get("mimetype") != "text/html":
                raise SlackFileError(
                    f"Slack sent a sign-in page instead of “{name}”: the bot's token or its files:read "
                    "permission is missing. Ask an admin to reinstall the app.")
            chunks, total = [], 0
            async for chunk in response.aiter_bytes():
                total += len(chunk)
                if total > max_bytes:
                    raise SlackFileError(f"“{name}” is larger than {_size_text(max_bytes)}, the most a file can be.")
                chunks.append(chunk)
            return DownloadedFile(name, b"".join(chunks), file.get("mimetype") or mimetype)
    raise SlackFileError(f"Slack redirected too often for “{name}”.")
