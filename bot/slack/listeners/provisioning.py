"""Associations, applications and entities, inbound routing: their modals' submissions and
buttons (see bot/slack/provisioning/), and the "➕ New application/entity…" pickers."""

from __future__ import annotations

from functools import partial

from slack_bolt.async_app import AsyncApp

from bot.services import Services
from bot.slack.platform_pickers import PICK_ACTION, reshape_for_new
from bot.slack.provisioning import applications, associate, association_list, keyword_delete, keywords, routing
from bot.slack.replies import update_view


async def platform_picked(services: Services, ack, body, client) -> None:
    """An application/entity select offering "➕ New…": show or hide the inputs for the new one."""
    await ack()
    view = body.get("view") or {}
    action = body["actions"][0]
    spec = reshape_for_new(view, action.get("block_id", ""), (action.get("selected_option") or {}).get("value"))
    if spec is not None:
        await update_view(client, view.get("id"), spec, hash=view.get("hash"))


def register(app: AsyncApp, services: Services) -> None:
    associate.register(app, services)
    association_list.register(app, services)
    applications.register(app, services)
    routing.register(app, services)
    keywords.register(app, services)
    keyword_delete.register(app, services)
    app.action(PICK_ACTION)(partial(platform_picked, services))
