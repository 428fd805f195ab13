"""Answering a person where they are looking, shared by every listener module: an ephemeral reply
(a DM from the bot when Slack refuses it), a modal update that shrugs off a modal closed or
changed meanwhile, and a modal opened over the one a button was clicked in."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.acks import settle_after_ack

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger("bot.slack.replies")

# views.update answers for a modal the person has closed, or changed since it was read.
GONE_OR_CHANGED = frozenset({"not_found", "view_not_found", "hash_conflict"})


def clicked_channel(body: dict[str, Any]) -> str | None:
    """The channel of the message a button was clicked in, if any."""
    return (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")


async def tell(client: AsyncWebClient, user: str, channel: str | None, text: str) -> None:
    """An ephemeral reply in `channel`; a DM from the bot when there is none or Slack refuses it
    (e.g. not_in_channel)."""
    if channel:
        try:
            await client.chat_postEphemeral(channel=channel, user=user, text=text)
            return
        except SlackApiError as error:
            log.info("ephemeral reply in %s failed (%s); sending a DM", channel, error.response.get("error"))
    await client.chat_postMessage(channel=user, text=text)


async def update_view(
    client: AsyncWebClient,
    view_id: str | None,
    view: dict[str, Any],
    *,
    hash: str | None = None,
    acked_at: float | None = None,
) -> bool:
    """views.update (after `settle_after_ack(acked_at)`) that tolerates a modal the person has
    closed or changed meanwhile: False then, or when there is no view to update."""
    if not view_id:
        return False
    await settle_after_ack(acked_at)
    arguments: dict[str, Any] = {"view_id": view_id, "view": view}
    if hash:
        arguments["hash"] = hash
    try:
        await client.views_update(**arguments)
    except SlackApiError as error:
        reason = error.response.get("error") if error.response is not None else None
        if reason in GONE_OR_CHANGED:
            log.info("view %s not updated: %s", view_id, reason)
            return False
        raise
    return True


async def open_child(client: AsyncWebClient, body: dict[str, Any], view: dict[str, Any]) -> tuple[str, bool]:
    """Show `view` for a click: pushed over the modal the click came from (the current one is
    replaced when three are stacked already), or a new modal for a click in a message.
    Returns (view id, whether it was pushed over another)."""
    current = body.get("view") or {}
    if current.get("type") == "modal":
        try:
            answer = await client.views_push(trigger_id=body["trigger_id"], view=view)
            return answer["view"]["id"], True
        except SlackApiError as error:
            if error.response.get("error") != "push_limit_reached":
                raise
            await client.views_update(view_id=current["id"], view=view)
            return current["id"], False
    answer = await client.views_open(trigger_id=body["trigger_id"], view=view)
    return answer["view"]["id"], False


def notice_channel(services: Services, channel: str | None) -> str | None:
    """Where a change is announced: where the command was used (RESOURCEBOT_CHANNEL when that is
    unknown); nowhere when neither is known. (A purchase or a cancellation is announced the other
    way round: its use case is given RESOURCEBOT_CHANNEL first, at the call.)"""
    return channel or services.settings.resourcebot_channel
