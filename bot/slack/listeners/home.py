"""The App Home tab: published when opened, and re-published when its buttons change the view."""

from __future__ import annotations

import re
from functools import partial

from slack_bolt.async_app import AsyncApp

from bot.services import Services
from bot.slack.command_table import launcher_choices
from bot.slack.home import FILTER_ACTION, NEW_REQUEST_ACTION, PAGE_ACTION, SCOPE_ACTION, HomeState
from bot.slack.home_tab import SPEND_MAX_AGE_SECONDS, publish_home
from bot.slack.middleware import view_metadata
from bot.slack.permissions import Actor
from bot.slack.views import launcher_view


async def home_opened(services: Services, event, client) -> None:
    if event.get("tab", "home") == "home":
        await publish_home(services, client, event["user"], spend_max_age=SPEND_MAX_AGE_SECONDS)


async def new_request(services: Services, ack, body, client) -> None:
    await ack()
    # No channel here: the request's thread goes to RESOURCEBOT_CHANNEL or the user's DM with the bot.
    await client.views_open(trigger_id=body["trigger_id"], view=launcher_view(available=launcher_choices(services)))


async def scope_changed(services: Services, ack, body, client, actor: Actor, metadata: HomeState) -> None:
    await ack()
    scope = body["actions"][0]["value"]
    state = metadata.model_copy(update={"scope": scope if scope in ("mine", "all") else "mine", "page": 0})
    await publish_home(services, client, actor.id, state)


async def filter_changed(services: Services, ack, body, client, actor: Actor, metadata: HomeState) -> None:
    await ack()
    group = body["actions"][0]["selected_option"]["value"]
    await publish_home(services, client, actor.id, metadata.model_copy(update={"group": group, "page": 0}))


async def page_changed(services: Services, ack, body, client, actor: Actor, metadata: HomeState) -> None:
    await ack()
    page = int(body["actions"][0]["value"])
    await publish_home(services, client, actor.id, metadata.model_copy(update={"page": page}))


def register(app: AsyncApp, services: Services) -> None:
    shown = view_metadata(HomeState)  # what the Home tab shows now
    app.event("app_home_opened")(partial(home_opened, services))
    app.action(NEW_REQUEST_ACTION)(partial(new_request, services))
    app.action(SCOPE_ACTION, middleware=[shown])(partial(scope_changed, services))
    app.action(FILTER_ACTION, middleware=[shown])(partial(filter_changed, services))
    app.action(re.compile(f"^{PAGE_ACTION}:"), middleware=[shown])(partial(page_changed, services))
