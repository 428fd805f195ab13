"""Global shortcuts: a door for people who don't remember `/resource`."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.services import Services
from bot.slack.listeners.commands import launcher_choices
from bot.slack.views import launcher_view

# The callback_id of "Request a resource" in manifest.yml and manifest.socket-mode.yml.
REQUEST_A_RESOURCE = "request_resource"


def register(app: AsyncApp, services: Services) -> None:
    @app.shortcut(REQUEST_A_RESOURCE)
    async def request_a_resource(ack, body, client) -> None:
        await ack()
        # A shortcut has no channel: the request's thread goes to RESOURCEBOT_CHANNEL or the user's DM.
        await client.views_open(trigger_id=body["trigger_id"], view=launcher_view(available=launcher_choices(services)))
