"""Download links for the templates and samples Infobip attaches to requirements.

A modal cannot carry a file, so the form's "Download template" buttons become links to the bot
(`/documents/{documentId}`), which fetches the document from Infobip with the account's key.
The link is signed with the Slack signing secret and expires, so the bot is no open proxy to
the account's documents.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any
from urllib.parse import quote, urlencode

from bot.slack.form_blocks import DOWNLOAD_ACTION_PATTERN

LINK_LIFETIME = 24 * 3600


def _signature(secret: str, document_id: str, expires: int) -> str:
    return hmac.new(secret.encode(), f"{document_id}:{expires}".encode(), hashlib.sha256).hexdigest()


def signed_link(base_url: str, secret: str, document_id: str, now: float | None = None) -> str:
    expires = int((now or time.time()) + LINK_LIFETIME)
    query = urlencode({"expires": expires, "signature": _signature(secret, document_id, expires)})
    return f"{base_url.rstrip('/')}/documents/{quote(document_id, safe='')}?{query}"


def link_is_valid(secret: str, document_id: str, expires: str, signature: str, now: float | None = None) -> bool:
    if not expires.isdigit() or int(expires) < (now or time.time()):
        return False
    return hmac.compare_digest(_signature(secret, document_id, int(expires)), signature)


def add_download_links(blocks: list[dict[str, Any]], base_url: str, secret: str) -> list[dict[str, Any]]:
    """The blocks with every template button turned into a signed link (a copy; blocks unchanged)."""

    def linked(element: dict[str, Any]) -> dict[str, Any]:
        if element.get("type") == "button" and DOWNLOAD_ACTION_PATTERN.match(element.get("action_id", "")):
            return {**element, "url": signed_link(base_url, secret, element["value"])}
        return element

    result = []
    for block in blocks:
        if "accessory" in block:
            block = {**block, "accessory": linked(block["accessory"])}
        if block.get("type") == "actions":
            block = {**block, "elements": [linked(e) for e in block["elements"]]}
        result.append(block)
    return result
