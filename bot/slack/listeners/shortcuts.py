"""Global shortcuts: a door for people who don't remember `/resource`."""

from __future__ import annotations

from functools import partial

from slack_bolt.async_app import AsyncApp

from bot.services import Services
from bot.slack.command_table import launcher_choices
from bot.slack.views import launcher_view

# The callback_id of "Request a resource" in manifest.yml and manifest.socket-mode.yml.
REQUEST_A_RESOURCE = "request_resource"


async def request_a_resource(services: Services, ack, body, client) -> None:
    await ack()
    # A shortcut has no channel: the request's thread goes to RESOURCEBOT_CHANNEL or the user's DM.
    await client.views_open(trigger_id=body["trigger_id"], view=launcher_view(available=launcher_choices(services)))


def register(app: AsyncApp, services: Services) -> None:
    app.shortcut(REQUEST_A_RESOURCE)(partial(request_a_resource, services))
