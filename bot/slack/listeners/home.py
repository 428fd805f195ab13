"""The App Home tab: published when opened, and re-published when its buttons change the view."""

from __future__ import annotations

import re

from slack_bolt.async_app import AsyncApp

from bot.services import Services
from bot.slack.home import FILTER_ACTION, NEW_REQUEST_ACTION, PAGE_ACTION, SCOPE_ACTION, HomeState
from bot.slack.home_tab import publish_home
from bot.slack.listeners.commands import launcher_choices
from bot.slack.views import launcher_view


def _state(body: dict) -> HomeState:
    return HomeState.load((body.get("view") or {}).get("private_metadata"))


def register(app: AsyncApp, services: Services) -> None:
    @app.event("app_home_opened")
    async def home_opened(event, client) -> None:
        if event.get("tab", "home") == "home":
            await publish_home(services, client, event["user"])

    @app.action(NEW_REQUEST_ACTION)
    async def new_request(ack, body, client) -> None:
        await ack()
        # No channel here: the request's thread goes to RESOURCEBOT_CHANNEL or the user's DM with the bot.
        await client.views_open(trigger_id=body["trigger_id"], view=launcher_view(available=launcher_choices(services)))

    @app.action(SCOPE_ACTION)
    async def scope_changed(ack, body, client) -> None:
        await ack()
        scope = body["actions"][0]["value"]
        state = _state(body).model_copy(update={"scope": scope if scope in ("mine", "all") else "mine", "page": 0})
        await publish_home(services, client, body["user"]["id"], state)

    @app.action(FILTER_ACTION)
    async def filter_changed(ack, body, client) -> None:
        await ack()
        group = body["actions"][0]["selected_option"]["value"]
        await publish_home(services, client, body["user"]["id"], _state(body).model_copy(update={"group": group, "page": 0}))

    @app.action(re.compile(f"^{PAGE_ACTION}:"))
    async def page_changed(ack, body, client) -> None:
        await ack()
        page = int(body["actions"][0]["value"])
        await publish_home(services, client, body["user"]["id"], _state(body).model_copy(update={"page": page}))
