"""Delivers the outbox to Slack: in order per request, one call at a time per channel, retried.

Slack's chat.postMessage allows about one message per second per channel (short bursts pass)
and answers 429 with Retry-After beyond it. Each channel has its own lane: lanes work
concurrently, so a busy or rate-limited channel never holds up another, and every post waits
for its channel's token (`ChannelPacer`) instead of finding the limit through 429s, which cost
a whole second each. A 429 that comes anyway is honoured: nothing goes to that channel until
Retry-After has passed. Other failures are retried with capped exponential backoff, so nothing
is dropped. Only the head of a request's queue is ever in flight, so a thread keeps its order.
A root update or App Home refresh with a newer one queued behind it is skipped: the newer one
renders the same (current) state after the burst's replies, so a burst costs one chat.update.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import sqlite_utils
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.approvals import ApprovalState
from bot.slack import intent_messages
from bot.slack.approvals.messages import approval_message, reminder_message, requester_dm, thread_decision
from bot.slack.messages import action_reply, not_submitted_message, reminder_reply, root_message, status_reply
from bot.slack.multi_summary import summary_message
from bot.slack.pacer import ChannelPacer
from bot.slack.post_once import find_posted, marker
from bot.store import outbox
from bot.store.approvals import Approval, get_approval, record_message
from bot.store.events import get_event
from bot.store.intents import Intent, get_intent
from bot.store.request_groups import RequestGroup, get_group, record_summary
from bot.store.requests import RequestRecord, get_request, update_request
from bot.store.worker import Store, is_locked

log = logging.getLogger("bot.slack.delivery")

# Errors that no retry will fix for this channel: post the thread in a DM instead.
_CHANNEL_GONE = {"channel_not_found", "not_in_channel", "is_archived", "restricted_action"}
# Heads looked at per pass: enough that every channel with work gets a lane.
_DUE_BATCH = 1000
# Passes are at least this far apart: a burst of webhooks (each one wakes the worker) and lanes
# finishing one after another make one pass, not one each.
_PASS_SPACING = 0.01

# An approval message links to the request's thread or the purchase's announcement, queued in
# another lane: it waits for that post, a fifth of a second at a time, at most this often.
_THREAD_WAITS = 25
_THREAD_WAIT = 0.2
_NOT_YET = object()


class ThreadNotPostedYet(Exception):
    """The thread an approval message links to is not posted yet: try again in a moment."""


def _found(link: str | None | object) -> str | None:
    return link if isinstance(link, str) else None


class OutboxWorker:
    def __init__(
        self,
        db: sqlite_utils.Database,
        store: Store,
        client: AsyncWebClient,
        *,
        refresh_homes: Callable[[RequestRecord | Approval], Awaitable[None]] | None = None,
        idle_poll: float = 1.0,
        base_backoff: float = 1.0,
        max_backoff: float = 30.0,
        pacer: ChannelPacer | None = None,
    ) -> None:
        self.db = db  # reads (WAL: they never wait for a lock)
        self.store = store  # writes, off the event loop
        self.client = client
        # Re-publishes the App Homes that show a request, after a change to it (bot/slack/home_tab.py).
        self.refresh_homes = refresh_homes
        self.idle_poll = idle_poll
        self.base_backoff = base_backoff
        self.max_backoff = max_backoff
        self.pacer = pacer or ChannelPacer()
        self._wake = asyncio.Event()
        self._lanes: dict[str, asyncio.Task] = {}  # channel -> the task delivering to it
        self._in_flight: set[str] = set()  # request ids whose head a lane holds
        self._held_back: float | None = None  # when the first channel waiting for Retry-After frees
        # request id -> its thread's channel, once the thread exists (it does not move after that).
        self._thread_channel: dict[str, str] = {}

    def wake(self) -> None:
        """Deliver now rather than at the next poll (called after a commit that enqueued)."""
        self._wake.set()

    async def run(self) -> None:
        # One HTTP session for every call the worker makes (slack_sdk opens a connection per call
        # otherwise); closed when the worker stops.
        session = None
        if self.client.session is None:
            session = self.client.session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.client.timeout)
            )
        try:
            while True:
                self._wake.clear()
                passed = time.monotonic()
                try:
                    await self._dispatch()
                except Exception:  # noqa: BLE001 - the worker must outlive any one bad item (a lock, too)
                    log.exception("outbox pass failed")
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout=self._sleep_time())
                except TimeoutError:
                    pass
                await asyncio.sleep(max(0.0, passed + _PASS_SPACING - time.monotonic()))
        finally:
            lanes = list(self._lanes.values())
            for lane in lanes:
                lane.cancel()
            await asyncio.gather(*lanes, return_exceptions=True)
            if session is not None:
                self.client.session = None
                await session.close()

    async def deliver_due(self) -> int:
        """One pass, awaited: every request's next item that is due, channels concurrently."""
        await self._dispatch()
        results = await asyncio.gather(*self._lanes.values(), return_exceptions=True)
        return sum(r for r in results if isinstance(r, int))

    def _sleep_time(self) -> float:
        if self._lanes:
            return self.idle_poll  # a lane that finishes wakes the worker
        candidates = [self.idle_poll]
        next_at = outbox.next_due_at(self.db)
        if next_at is not None:
            candidates.append(next_at - time.time())
        if self._held_back is not None:
            candidates.append(self._held_back)
        return max(0.01, min(candidates))

    async def _dispatch(self) -> None:
        """Give every idle channel with due items a lane holding those items (one per request)."""
        by_channel: dict[str, list[outbox.OutboxItem]] = defaultdict(list)
        held_back: float | None = None
        due = outbox.due(self.db, time.time(), limit=_DUE_BATCH)
        if not due:
            self._thread_channel.clear()
        for item in due:
            if item.request_id in self._in_flight:
                continue
            channel = await self._channel_of(item)
            if channel is None:
                continue
            if channel in self._lanes:
                continue  # its lane comes back for more when it is done
            wait = self.pacer.blocked_for(channel)
            if wait > 0:
                held_back = wait if held_back is None else min(held_back, wait)
                continue
            by_channel[channel].append(item)
        self._held_back = held_back
        for channel, items in by_channel.items():
            requests = {item.request_id for item in items}
            self._in_flight |= requests
            lane = asyncio.create_task(self._deliver_channel(channel, items), name=f"outbox:{channel}")
            self._lanes[channel] = lane
            lane.add_done_callback(lambda _, channel=channel, requests=requests: self._lane_done(channel, requests))

    async def _channel_of(self, item: outbox.OutboxItem) -> str | None:
        """The channel the item's request posts in (None, and the item is done, when the request is gone)."""
        if item.kind in outbox.APPROVAL_KINDS:
            approval = get_approval(self.db, item.payload.get("approval", ""))
            if approval is None:
                await self.store.run(outbox.mark_delivered, item)
                return None
            if item.kind == outbox.APPROVAL_THREAD:  # queued in its request's order, after the root
                request = get_request(self.db, approval.request_id or "")
                return (request.channel or request.requester) if request else approval.requester
            if item.kind in (outbox.APPROVAL_DM, outbox.APPROVAL_HOMES):
                return approval.requester
            return str(item.payload.get("to"))
        if item.kind in outbox.GROUP_KINDS:
            group = get_group(self.db, item.request_id)
            if group is None:
                await self.store.run(outbox.mark_delivered, item)
                return None
            return group.message_channel or group.channel or group.requester
        if item.kind in outbox.INTENT_KINDS:
            intent = get_intent(self.db, item.payload.get("intent", ""))
            if intent is None:
                await self.store.run(outbox.mark_delivered, item)
                return None
            return intent_messages.notice_channel(intent) if item.kind == outbox.INTENT_NOTICE else intent.actor
        channel = self._thread_channel.get(item.request_id)
        if channel is not None:
            return channel
        request = get_request(self.db, item.request_id)
        if request is None:
            await self.store.run(outbox.mark_delivered, item)
            return None
        channel = request.channel or request.requester
        if request.thread_ts and request.channel:
            self._thread_channel[item.request_id] = channel
        return channel

    def _lane_done(self, channel: str, requests: set[str]) -> None:
        self._lanes.pop(channel, None)
        self._in_flight -= requests
        self._wake.set()

    async def _deliver_channel(self, channel: str, items: list[outbox.OutboxItem]) -> int:
        delivered = 0
        for item in items:
            try:
                if not await self._deliver_one(channel, item):
                    break  # a channel that failed gets no more calls in this pass
            except Exception as error:
                if not is_locked(error):
                    raise
                # Another process holds the database: what was posted is flagged (post_once), so the
                # next pass finds it rather than posting it again.
                log.warning("outbox paused for %s: the database is locked (%s)", channel, error)
                break
            delivered += 1
        return delivered

    async def _deliver_one(self, channel: str, item: outbox.OutboxItem) -> bool:
        """Deliver one item and record it; False when it failed (and is scheduled again)."""
        subject: RequestRecord | Intent | Approval | RequestGroup | None
        if item.kind in outbox.APPROVAL_KINDS:
            subject = get_approval(self.db, item.payload.get("approval", ""))
        elif item.kind in outbox.GROUP_KINDS:
            subject = get_group(self.db, item.request_id)
        elif item.kind in outbox.INTENT_KINDS:
            subject = get_intent(self.db, item.payload.get("intent", ""))
        else:  # fresh: an earlier item may have set the thread
            subject = get_request(self.db, item.request_id)
        if subject is None:
            await self.store.run(outbox.mark_delivered, item)  # what it reported is gone: nothing to say
            return True
        if outbox.superseded(self.db, item):
            await self.store.run(outbox.mark_delivered, item)  # a later one renders the same state, and newer
            return True
        try:
            rendered_up_to = outbox.latest_id(self.db, item.request_id)
            if isinstance(subject, Approval):
                await self._deliver_approval(item, subject)
            elif isinstance(subject, Intent):
                await self._deliver_intent(item, subject)
            elif isinstance(subject, RequestGroup):
                await self._deliver_group(item, subject)
            else:
                await self._deliver(item, subject)
        except asyncio.CancelledError:
            raise
        except ThreadNotPostedYet:
            await self.store.run(outbox.mark_failed, item, "waiting for its thread", time.time() + _THREAD_WAIT)
            return False
        except Exception as error:  # noqa: BLE001 - Slack errors, network errors, timeouts: retry later
            if is_locked(error):
                raise
            await self._failed(item, channel, error)
            return False
        await self.store.run(outbox.mark_delivered, item, rendered_up_to)
        return True

    async def _failed(self, item: outbox.OutboxItem, channel: str, error: Exception) -> None:
        retry_after = None
        reason = type(error).__name__
        if isinstance(error, SlackApiError):
            reason = str(error.response.get("error") or error.response.status_code)
            if error.response.status_code == 429:
                retry_after = _retry_after(error)
                self.pacer.block(channel, retry_after)
        if retry_after is None:
            backoff = min(self.max_backoff, self.base_backoff * (2 ** min(item.attempts, 16)))
            retry_after = backoff * (0.5 + random.random() / 2)
        # Slack's rate limit is routine (about one message per second per channel): not a warning.
        level = logging.INFO if reason == "ratelimited" else logging.WARNING
        log.log(
            level,
            "outbox item %s (%s, request %s) not delivered: %s; retrying in %.1fs",
            item.id,
            item.kind,
            item.request_id,
            reason,
            retry_after,
        )
        await self.store.run(outbox.mark_failed, item, reason, time.time() + retry_after)

    async def _post(self, channel: str, *, item: outbox.OutboxItem, **message: Any) -> Any:
        """chat.postMessage once the channel's pacer allows it; a 429 blocks the channel.
        At most once per item (post_once.py): one that may already be there is looked for first."""
        if item.maybe_posted:
            found = await find_posted(self.client, item, channel, message.get("thread_ts"))
            if found:
                return found
        await self.pacer.acquire(channel)
        await self.store.run(outbox.mark_maybe_posted, item)
        try:
            return await self.client.chat_postMessage(channel=channel, metadata=marker(item), **message)
        except SlackApiError as error:
            if error.response.status_code < 500:
                await self.store.run(outbox.mark_maybe_posted, item, False)  # Slack answered: nothing was posted
            if error.response.status_code == 429:
                self.pacer.block(channel, _retry_after(error))
            raise

    async def _deliver(self, item: outbox.OutboxItem, request: RequestRecord) -> None:
        if item.kind == outbox.THREAD_ROOT:
            await self._post_root(item, request)
        elif item.kind == outbox.ROOT_UPDATE:
            if request.thread_ts:
                await self.client.chat_update(channel=request.channel, ts=request.thread_ts, **root_message(request))
        elif item.kind == outbox.THREAD_REPLY:
            await self._post(request.channel, item=item, thread_ts=request.thread_ts, **self._reply(item, request))
        elif item.kind == outbox.DIRECT_MESSAGE:
            await self._direct_message(item, request)
        elif item.kind == outbox.HOME_REFRESH:
            if self.refresh_homes:
                await self.refresh_homes(request)
        elif item.kind == outbox.NOT_SUBMITTED:
            dm = await self.client.conversations_open(users=request.requester)
            await self._post(dm["channel"]["id"], item=item, **not_submitted_message(request))
        else:
            log.error("unknown outbox item kind %r (item %s): skipped", item.kind, item.id)

    async def _deliver_intent(self, item: outbox.OutboxItem, intent: Intent) -> None:
        """A change's notice where people follow them, or the DM that tells its actor how it ended."""
        if item.kind == outbox.INTENT_NOTICE:
            channel = intent_messages.notice_channel(intent)
            message = intent_messages.notice(intent)
        else:
            channel, message = intent.actor, intent_messages.settled_dm(intent)
        if message is None:
            return
        if channel[0] in "UW":  # a person: their DM with the bot
            channel = (await self.client.conversations_open(users=channel))["channel"]["id"]
        await self._post(channel, item=item, **message)

    async def _deliver_group(self, item: outbox.OutboxItem, group: RequestGroup) -> None:
        """The summary of requests filed together: posted once where their threads are, then
        updated from their current state."""
        message = summary_message(self.db, group)
        if item.kind == outbox.GROUP_UPDATE:
            if group.message_channel and group.message_ts:  # not posted yet: the post shows the same
                await self.client.chat_update(channel=group.message_channel, ts=group.message_ts, **message)
            return
        if group.message_ts:
            return  # already posted (a crash between the post and marking it delivered)
        channel = group.channel or await self._dm_channel(group.requester)
        try:
            response = await self._post(channel, item=item, **message)
        except SlackApiError as error:
            if error.response.get("error") not in _CHANNEL_GONE:
                raise
            response = await self._post(await self._dm_channel(group.requester), item=item, **message)
        await self.store.run(record_summary, group.id, response["channel"], response["ts"])

    async def _deliver_approval(self, item: outbox.OutboxItem, approval: Approval) -> None:
        """An approval request posted (and where, kept), updated once decided; or the requester's DM."""
        if item.kind == outbox.APPROVAL_DM:
            message = requester_dm(approval)
            if message is not None:
                await self._post(await self._dm_channel(approval.requester), item=item, **message)
            return
        if item.kind == outbox.APPROVAL_THREAD:
            request = get_request(self.db, approval.request_id or "")
            if request is None or not request.thread_ts:
                log.warning("approval %s: its request has no thread to tell the decision in", approval.key)
                return
            await self._post(request.channel, item=item, thread_ts=request.thread_ts, **thread_decision(approval))
            return
        if item.kind == outbox.APPROVAL_HOMES:
            if self.refresh_homes:
                await self.refresh_homes(approval)
            return
        to = str(item.payload.get("to"))
        if item.kind == outbox.APPROVAL_POST:
            if to in approval.messages:
                return  # posted already (a crash between the post and marking it delivered)
            link = await self._thread_link(approval, to)
            if link is _NOT_YET and item.attempts < _THREAD_WAITS:
                raise ThreadNotPostedYet(approval.key)
            message = approval_message(approval, buttons=bool(item.payload.get("buttons")), link=_found(link))
            response = await self._post(await self._dm_channel(to), item=item, **message)
            permalink = await self._permalink(response["channel"], response["ts"])
            await self.store.run(record_message, approval.key, to, response["channel"], response["ts"], permalink)
            return
        posted = approval.messages.get(to)
        if posted is None:
            log.warning("approval %s was never posted to %s: nothing to update", approval.key, to)
            return
        if item.kind == outbox.APPROVAL_REMINDER and approval.state != ApprovalState.WAITING:
            return  # decided since: nobody needs reminding
        link = _found(await self._thread_link(approval, to))
        if item.kind == outbox.APPROVAL_REMINDER:
            in_thread = to[0] not in "UW"
            thread = {"thread_ts": posted["ts"]} if in_thread else {}
            mentions = [str(m) for m in item.payload.get("mentions") or []]
            reminder = reminder_message(approval, in_thread=in_thread, mentions=mentions, link=link)
            await self._post(posted["channel"], item=item, **thread, **reminder)
            return
        # Decided: the buttons go, the decision shows.
        await self.client.chat_update(
            channel=posted["channel"], ts=posted["ts"], **approval_message(approval, buttons=False, link=link)
        )

    async def _thread_link(self, approval: Approval, to: str) -> str | None | object:
        """A permalink to where the change is followed, for the approval message to `to`: the
        request's thread, or the channel's announcement of a purchase. _NOT_YET while that is
        queued but not posted (the approval message waits a moment for it); None when there is none."""
        if approval.request_id:
            request = get_request(self.db, approval.request_id)
            if request is None:
                return None
            if not (request.channel and request.thread_ts):
                return _NOT_YET
            return request.permalink or await self._permalink(request.channel, request.thread_ts)
        where = str(approval.summary.get("where") or "")
        if not where or where == to or where[0] in "UW":
            return None
        announced = approval.messages.get(where)
        if announced is None:
            return _NOT_YET if approval.state == ApprovalState.WAITING else None
        return announced.get("permalink") or await self._permalink(announced["channel"], announced["ts"])

    async def _permalink(self, channel: str, ts: str) -> str | None:
        """A posted message's permalink, for links to it; None when Slack gives none (it works without)."""
        try:
            return str((await self.client.chat_getPermalink(channel=channel, message_ts=ts))["permalink"])
        except SlackApiError as error:
            log.info("no permalink for %s/%s: %s", channel, ts, error.response.get("error"))
            return None

    async def _dm_channel(self, channel: str) -> str:
        """A user id's DM with the bot; a channel id as it is."""
        if channel[0] in "UW":
            return (await self.client.conversations_open(users=channel))["channel"]["id"]
        return channel

    async def _post_root(self, item: outbox.OutboxItem, request: RequestRecord) -> None:
        if request.thread_ts:
            return  # already posted (a crash between the post and marking it delivered)
        channel = request.channel or request.requester
        try:
            response = await self._post(channel, item=item, **root_message(request))
        except SlackApiError as error:
            if error.response.get("error") not in _CHANNEL_GONE:
                raise
            # The bot cannot post there (not invited, archived): keep the thread in a DM.
            log.warning("cannot post in %s (%s): using a direct message", channel, error.response.get("error"))
            dm = await self.client.conversations_open(users=request.requester)
            response = await self._post(dm["channel"]["id"], item=item, **root_message(request))
        await self.store.run(update_request, request.id, channel=response["channel"], thread_ts=response["ts"])
        link = await self._permalink(response["channel"], response["ts"])  # for links from App Home
        if link:
            await self.store.run(update_request, request.id, permalink=link)
        await self.store.run(outbox.enqueue_group_update, request.id)  # a summary links to the thread

    def _reply(self, item: outbox.OutboxItem, request: RequestRecord) -> dict[str, Any]:
        event = get_event(self.db, item.payload["event"])
        if event is None:
            raise LookupError(f"event {item.payload['event']} is missing")
        details = event["payload"]
        if event["kind"] == "reminder":
            return reminder_reply(request, details.get("days_until_rejection"))
        if details.get("source") == "bot" and details["raw"].get("action"):
            return action_reply(request, details["raw"]["action"], details["raw"].get("actor", ""))
        return status_reply(
            request,
            event["status"],
            feedback=details.get("feedback") or [],
            note=details.get("note"),
            numbers=details.get("numbers") or [],
        )

    async def _direct_message(self, item: outbox.OutboxItem, request: RequestRecord) -> None:
        message = self._reply(item, request)
        if request.channel and request.thread_ts:
            link = await self.client.chat_getPermalink(channel=request.channel, message_ts=request.thread_ts)
            message["text"] += f" — {link['permalink']}"
            message["blocks"].append(
                {
                    "type": "context",
                    "elements": [{"type": "mrkdwn", "text": f"<{link['permalink']}|Open the request's thread>"}],
                }
            )
        dm = await self.client.conversations_open(users=request.requester)
        await self._post(dm["channel"]["id"], item=item, **message)


def _retry_after(error: SlackApiError) -> float:
    headers = error.response.headers or {}
    value = headers.get("Retry-After", headers.get("retry-after", 1))
    try:
        return max(0.0, float(value))
    except (TypeError, ValueError):
        return 1.0
