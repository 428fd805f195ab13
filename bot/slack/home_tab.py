"""Publishing a user's App Home tab: their requests (or everyone's, for admins), as they left it,
and for admins and number managers the Spend section (bot/slack/spend/)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.approvals import deciders
from bot.slack.approvals.approvers import current_approvers
from bot.slack.approvals.listing import HOME_MAX, mine_blocks, to_decide_blocks, waiting_for
from bot.slack.home import HomeState, home_view
from bot.slack.permissions import number_managers
from bot.slack.spend.load import spend_report
from bot.slack.spend.views import home_blocks
from bot.store.approvals import Approval
from bot.store.home_views import load_home_state, save_home_state, users_watching_everyone
from bot.store.requests import RequestRecord, list_requests

if TYPE_CHECKING:
    from bot.services import Services

# Enough for anyone's history; older requests are still in `/resource status <id>`.
_MAX_REQUESTS = 1000
# Opening the Home reads the spend report again when the kept one is older than this.
SPEND_MAX_AGE_SECONDS = 60.0


async def publish_home(
    services: Services,
    client: AsyncWebClient,
    user: str,
    state: HomeState | None = None,
    *,
    spend_max_age: float | None = None,
    spend_notice: str | None = None,
    notice: str | None = None,
) -> None:
    """Publish `user`'s Home. Its Spend section shows the kept report, read again from Infobip
    only when it is older than `spend_max_age` seconds (None: never, e.g. when a status change
    re-publishes it: that must not wait for Infobip). What waits for approval, or for the user's
    decision, comes first; `notice` (mrkdwn-safe) on top of all, e.g. how a decision went."""
    if state is None:
        state = HomeState.load(load_home_state(services.db, user))
    if state.scope == "all" and not services.is_admin(user):
        state = state.model_copy(update={"scope": "mine"})
    requester = None if state.scope == "all" else user
    requests = list_requests(services.db, requester=requester, limit=_MAX_REQUESTS)
    spend = None
    if services.may_see_spend(user):
        report = await spend_report(services, max_age=spend_max_age)
        spend = home_blocks(
            report,
            can_cancel=services.may_manage_numbers(user),
            managers=number_managers(services),
            notice=spend_notice,
        )
    waiting = await waiting_for(services, user)
    view = home_view(
        requests,
        state,
        is_admin=services.is_admin(user),
        spend=spend,
        to_decide=to_decide_blocks(waiting, HOME_MAX[0]),
        waiting=mine_blocks(waiting, HOME_MAX[1]),
        notice=notice,
    )
    await client.views_publish(user_id=user, view=view)
    await services.store.run(save_home_state, user, view["private_metadata"])


async def refresh_homes_for(services: Services, client: AsyncWebClient, subject: RequestRecord | Approval) -> None:
    """After a change: the requester's Home, and the Home of admins looking at everyone's; for an
    approval (asked for, decided, expired), the requester's and the Homes of those who decide, but
    the one who decided: the listener publishes theirs, with the outcome (approvals/listeners.py)."""
    if isinstance(subject, Approval):
        approvers = await current_approvers(services)
        for user in [subject.requester, *deciders(subject.requester, approvers)]:
            if user != subject.decided_by:
                await publish_home(services, client, user)
        return
    request = subject
    users = {request.requester} | {u for u in users_watching_everyone(services.db) if services.is_admin(u)}
    for user in sorted(users):
        await publish_home(services, client, user)
