"""Publishing a user's App Home tab: their requests (or everyone's, for admins), as they left it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.home import HomeState, home_view
from bot.store.home_views import load_home_state, save_home_state, users_watching_everyone
from bot.store.requests import RequestRecord, list_requests

if TYPE_CHECKING:
    from bot.services import Services

# Enough for anyone's history; older requests are still in `/resource status <id>`.
_MAX_REQUESTS = 1000


async def publish_home(services: Services, client: AsyncWebClient, user: str, state: HomeState | None = None) -> None:
    if state is None:
        state = HomeState.load(load_home_state(services.db, user))
    if state.scope == "all" and not services.is_admin(user):
        state = state.model_copy(update={"scope": "mine"})
    requester = None if state.scope == "all" else user
    requests = list_requests(services.db, requester=requester, limit=_MAX_REQUESTS)
    view = home_view(requests, state, is_admin=services.is_admin(user))
    await client.views_publish(user_id=user, view=view)
    await services.store.run(save_home_state, user, view["private_metadata"])


async def refresh_homes_for(services: Services, client: AsyncWebClient, request: RequestRecord) -> None:
    """After a change: the requester's Home, and the Home of admins looking at everyone's."""
    users = {request.requester} | {u for u in users_watching_everyone(services.db) if services.is_admin(u)}
    for user in sorted(users):
        await publish_home(services, client, user)
