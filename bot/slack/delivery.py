"""Delivers the outbox to Slack: in order per request, one call at a time per channel, retried.

Slack's chat.postMessage allows about one message per second per channel and answers 429 with
Retry-After beyond it; a channel that was told to wait is left alone until then while other
channels go on. Failures are retried with capped exponential backoff, so nothing is dropped.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

import sqlite_utils
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.messages import action_reply, reminder_reply, root_message, status_reply
from bot.store import outbox
from bot.store.events import get_event
from bot.store.requests import RequestRecord, get_request, update_request

log = logging.getLogger("bot.slack.delivery")

# Errors that no retry will fix for this channel: post the thread in a DM instead.
_CHANNEL_GONE = {"channel_not_found", "not_in_channel", "is_archived", "restricted_action"}


class OutboxWorker:
    def __init__(self, db: sqlite_utils.Database, client: AsyncWebClient, *, idle_poll: float = 1.0,
                 base_backoff: float = 1.0, max_backoff: float = 300.0) -> None:
        self.db = db
        self.client = client
        # Re-publishes the App Homes that show a request; set once the services exist.
        self.refresh_homes: Callable[[RequestRecord], Awaitable[None]] | None = None
        self.idle_poll = idle_poll
        self.base_backoff = base_backoff
        self.max_backoff = max_backoff
        self._wake = asyncio.Event()
        self._channel_free_at: dict[str, float] = {}

    def wake(self) -> None:
        """Deliver now rather than at the next poll (called after a commit that enqueued)."""
        self._wake.set()

    async def run(self) -> None:
        while True:
            try:
                delivered = await self.deliver_due()
            except Exception:  # noqa: BLE001 - the worker must outlive any one bad item
                log.exception("outbox pass failed")
                delivered = 0
            if delivered:
                continue
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self._sleep_time())
            except TimeoutError:
                pass

    def _sleep_time(self) -> float:
        next_at = outbox.next_due_at(self.db)
        if next_at is None:
            return self.idle_poll
        return min(self.idle_poll, max(0.01, next_at - time.time()))

    async def deliver_due(self) -> int:
        """One pass: every request's next item that is due, channels in parallel."""
        by_channel: dict[str, list[outbox.OutboxItem]] = defaultdict(list)
        now = time.time()
        for item in outbox.due(self.db, now):
            request = get_request(self.db, item.request_id)
            if request is None:
                outbox.mark_delivered(self.db, item)
                continue
            channel = request.channel or request.requester
            if self._channel_free_at.get(channel, 0) > now:
                continue
            by_channel[channel].append(item)
        results = await asyncio.gather(*(self._deliver_channel(ch, items) for ch, items in by_channel.items()))
        return sum(results)

    async def _deliver_channel(self, channel: str, items: list[outbox.OutboxItem]) -> int:
        delivered = 0
        for item in items:
            request = get_request(self.db, item.request_id)  # fresh: an earlier item may have set the thread
            if request is None:
                continue
            try:
                rendered_up_to = outbox.latest_id(self.db, item.request_id)
                await self._deliver(item, request)
            except Exception as error:  # noqa: BLE001 - Slack errors, network errors, timeouts: retry later
                self._failed(item, channel, error)
                break  # a channel that failed gets no more calls in this pass
            outbox.mark_delivered(self.db, item, rendered_up_to)
            delivered += 1
        return delivered

    def _failed(self, item: outbox.OutboxItem, channel: str, error: Exception) -> None:
        retry_after = None
        reason = type(error).__name__
        if isinstance(error, SlackApiError):
            reason = str(error.response.get("error") or error.response.status_code)
            if error.response.status_code == 429:
                retry_after = float(error.response.headers.get("Retry-After", error.response.headers.get("retry-after", 1)))
                self._channel_free_at[channel] = time.time() + retry_after
        if retry_after is None:
            backoff = min(self.max_backoff, self.base_backoff * (2 ** min(item.attempts, 16)))
            retry_after = backoff * (0.5 + random.random() / 2)
        # Slack's rate limit is routine (about one message per second per channel): not a warning.
        level = logging.INFO if reason == "ratelimited" else logging.WARNING
        log.log(level, "outbox item %s (%s, request %s) not delivered: %s; retrying in %.1fs",
                item.id, item.kind, item.request_id, reason, retry_after)
        outbox.mark_failed(self.db, item, reason, time.time() + retry_after)

    async def _deliver(self, item: outbox.OutboxItem, request: RequestRecord) -> None:
        if item.kind == outbox.THREAD_ROOT:
            await self._post_root(request)
        elif item.kind == outbox.ROOT_UPDATE:
            if request.thread_ts:
                await self.client.chat_update(channel=request.channel, ts=request.thread_ts, **root_message(request))
        elif item.kind == outbox.THREAD_REPLY:
            await self.client.chat_postMessage(channel=request.channel, thread_ts=request.thread_ts,
                                               **self._reply(item, request))
        elif item.kind == outbox.DIRECT_MESSAGE:
            await self._direct_message(item, request)
        elif item.kind == outbox.HOME_REFRESH:
            if self.refresh_homes:
                await self.refresh_homes(request)
        else:
            log.error("unknown outbox item kind %r (item %s): skipped", item.kind, item.id)

    async def _post_root(self, request: RequestRecord) -> None:
        if request.thread_ts:
            return  # already posted (a crash between the post and marking it delivered)
        channel = request.channel or request.requester
        try:
            response = await self.client.chat_postMessage(channel=channel, **root_message(request))
        except SlackApiError as error:
            if error.response.get("error") not in _CHANNEL_GONE:
                raise
            # The bot cannot post there (not invited, archived): keep the thread in a DM.
            log.warning("cannot post in %s (%s): using a direct message", channel, error.response.get("error"))
            dm = await self.client.conversations_open(users=request.requester)
            response = await self.client.chat_postMessage(channel=dm["channel"]["id"], **root_message(request))
        update_request(self.db, request.id, channel=response["channel"], thread_ts=response["ts"])
        try:  # for links from App Home; the thread works without it
            link = await self.client.chat_getPermalink(channel=response["channel"], message_ts=response["ts"])
            update_request(self.db, request.id, permalink=link["permalink"])
        except SlackApiError as error:
            log.info("no permalink for request %s: %s", request.id, error.response.get("error"))

    def _reply(self, item: outbox.OutboxItem, request: RequestRecord) -> dict[str, Any]:
        event = get_event(self.db, item.payload["event"])
        if event is None:
            raise LookupError(f"event {item.payload['event']} is missing")
        details = event["payload"]
        if event["kind"] == "reminder":
            return reminder_reply(request, details.get("days_until_rejection"))
        if details.get("source") == "bot" and details["raw"].get("action"):
            return action_reply(request, details["raw"]["action"], details["raw"].get("actor", ""))
        return status_reply(request, event["status"], feedback=details.get("feedback") or [],
                            note=details.get("note"), numbers=details.get("numbers") or [])

    async def _direct_message(self, item: outbox.OutboxItem, request: RequestRecord) -> None:
        message = self._reply(item, request)
        if request.channel and request.thread_ts:
            link = await self.client.chat_getPermalink(channel=request.channel, message_ts=request.thread_ts)
            message["text"] += f" — {link['permalink']}"
            message["blocks"].append({"type": "context", "elements": [
                {"type": "mrkdwn", "text": f"<{link['permalink']}|Open the request's thread>"}]})
        dm = await self.client.conversations_open(users=request.requester)
        await self.client.chat_postMessage(channel=dm["channel"]["id"], **message)
