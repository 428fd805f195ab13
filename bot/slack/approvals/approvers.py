"""Who the approvers are right now: RESOURCEBOT_APPROVERS' user ids, and the members of its user
groups (S…) as Slack's usergroups.users.list answers them (scope usergroups:read). Read when
needed (a Buy, a decision), so a change of a group's members applies at once."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from slack_sdk.errors import SlackApiError

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger("bot.slack.approvals")


async def current_approvers(services: Services) -> frozenset[str]:
    """The approvers' user ids. A group that can't be read counts as empty (and is logged):
    nobody gains the right to decide by an error."""
    configured = services.settings.resourcebot_approvers
    users = {i for i in configured if not i.startswith("S")}
    for group in sorted(i for i in configured if i.startswith("S")):
        try:
            answer = await services.slack.usergroups_users_list(usergroup=group)
        except SlackApiError as error:
            log.warning("the members of user group %s can't be read: %s", group, error.response.get("error"))
            continue
        users |= {str(u) for u in answer.get("users") or []}
    return frozenset(users)
