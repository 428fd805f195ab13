"""Who asked for what and how to show them a modal, whether they typed `/resource …`, clicked a
button or chose in the launcher. Which handler serves which command is in bot/slack/command_table.py.

A slash command or a button brings a trigger_id (valid 3 s, once): the handler puts up a loading
modal at once and replaces it when its slow work is done. The launcher has already answered its
submission with a loading view, so the handler replaces that one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.services import Services
from bot.slack.acks import settle_after_ack
from bot.slack.permissions import Actor
from bot.slack.views import loading_view


@dataclass
class Invocation:
    services: Services
    client: AsyncWebClient
    user: str
    channel_id: str | None
    trigger_id: str | None = None  # a slash command or a button: open a new modal
    view_id: str | None = None  # the launcher's modal, already showing a loading view
    acked_at: float | None = None  # when that loading view was sent (see settle_after_ack)

    @property
    def actor(self) -> Actor:
        return Actor(self.services, self.user)

    async def loading(self, title: str, text: str) -> str:
        """A loading modal, now; returns its view id."""
        if self.view_id is None:
            answer = await self.client.views_open(trigger_id=self.trigger_id, view=loading_view(title, text))
            self.view_id = answer["view"]["id"]
        return self.view_id

    async def show(self, view: dict[str, Any]) -> None:
        """Replace the loading modal with `view`."""
        if self.view_id is None:
            await self.loading(view["title"]["text"], "Loading…")
        await settle_after_ack(self.acked_at)
        await self.client.views_update(view_id=self.view_id, view=view)


# What serves one parsed command (bot/slack/command_table.py lists them).
CommandHandler = Callable[[Invocation, Any], Awaitable[None]]
