"""Posting an outbox item to Slack at most once, even across a crash or a lost answer.

Slack has no idempotency key for chat.postMessage. So every post the outbox makes carries the
item's id in its message metadata, and an item is flagged (`maybe_posted`, committed) before its
post is sent. An item still flagged at its next attempt (the bot died during the call, or the
answer never came) is looked for in the channel or thread first: found, it is not posted again.
Only those items cost a read; reading needs the `*:history` scopes. A workspace that has not
granted them gets the post anyway, as before: a possible duplicate beats a lost message.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.store.outbox import OutboxItem

log = logging.getLogger("bot.slack.post_once")

EVENT_TYPE = "resourcebot_outbox_item"
_PAGE = 200
_MAX_PAGES = 5
# Slack's clock and ours may differ: look a little further back than the item's creation.
_CLOCK_MARGIN = 120.0


def marker(item: OutboxItem) -> dict[str, Any]:
    """The message metadata that ties a Slack message to its outbox item."""
    return {"event_type": EVENT_TYPE, "event_payload": {"item": item.id, "request": item.request_id}}


def _is_ours(message: dict[str, Any], item: OutboxItem) -> bool:
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    return (
        metadata.get("event_type") == EVENT_TYPE
        and payload.get("item") == item.id
        and payload.get("request") == item.request_id
    )


def _oldest(item: OutboxItem) -> str | None:
    try:
        return f"{datetime.fromisoformat(item.created_at).timestamp() - _CLOCK_MARGIN:.6f}"
    except ValueError:
        return None


async def find_posted(
    client: AsyncWebClient, item: OutboxItem, channel: str, thread_ts: str | None = None
) -> dict[str, Any] | None:
    """`{"channel", "ts"}` of the message already posted for `item` in `channel` (in the thread
    `thread_ts` when given), or None. Slack errors other than an answer saying it cannot be read
    here (no scope, no access) are raised, to be retried like a failed post."""
    cursor = None
    for _ in range(_MAX_PAGES):
        args: dict[str, Any] = {
            "channel": channel,
            "oldest": _oldest(item),
            "limit": _PAGE,
            "include_all_metadata": True,
            "cursor": cursor,
        }
        try:
            if thread_ts:
                page = await client.conversations_replies(ts=thread_ts, **args)
            else:
                page = await client.conversations_history(**args)
        except SlackApiError as error:
            if error.response.status_code >= 500 or error.response.get("error") == "ratelimited":
                raise
            log.warning(
                "cannot check whether outbox item %s was posted in %s (%s): posting it",
                item.id,
                channel,
                error.response.get("error"),
            )
            return None
        for message in page.get("messages") or []:
            if _is_ours(message, item):
                log.info(
                    "outbox item %s was already posted in %s (%s): not posting it again",
                    item.id,
                    channel,
                    message.get("ts"),
                )
                return {"channel": channel, "ts": message["ts"]}
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not page.get("has_more") or not cursor:
            return None
    return None
