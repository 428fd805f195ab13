"""Events API: the App Home tab is the user's "My requests" page."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.services import Services
from bot.slack.home import home_view
from bot.store.requests import list_requests


def register(app: AsyncApp, services: Services) -> None:
    @app.event("app_home_opened")
    async def home_opened(event, client) -> None:
        if event.get("tab", "home") != "home":
            return
        user = event["user"]
        await client.views_publish(user_id=user, view=home_view(list_requests(services.db, requester=user, limit=40)))
