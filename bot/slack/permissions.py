"""Who may change what, in words: the managers of numbers and of routing, and the refusal someone
else gets. `Actor` is the acting user a listener is given (bot/slack/middleware.py): a listener asks
it once, `actor.refusal(ROUTING, "create associations")`, and shows the refusal or goes on.
(services.may_manage_numbers / may_manage_routing / may_manage_profiles / is_admin decide.)"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from bot.slack.mrkdwn import escape

if TYPE_CHECKING:
    from bot.services import Services


class Permission(Enum):
    NUMBERS = "buy and cancel numbers"
    ROUTING = "change associations, applications, entities and inbound routing"
    SPEND = "see what the account's numbers cost"
    PROFILES = "create, change and delete company profiles"


NUMBERS = Permission.NUMBERS
ROUTING = Permission.ROUTING
SPEND = Permission.SPEND
PROFILES = Permission.PROFILES


@dataclass(frozen=True)
class Actor:
    """The person who clicked, typed or submitted, and what they may do."""

    services: Services
    id: str

    @property
    def is_admin(self) -> bool:
        return self.services.is_admin(self.id)

    def may(self, permission: Permission) -> bool:
        if permission is NUMBERS:
            return self.services.may_manage_numbers(self.id)
        if permission is SPEND:
            return self.services.may_see_spend(self.id)
        if permission is PROFILES:
            return self.services.may_manage_profiles(self.id)
        return self.services.may_manage_routing(self.id)

    def refusal(self, permission: Permission, what: str) -> str | None:
        """Why this person can't `what` (mrkdwn: whom to ask), or None when they may."""
        if self.may(permission):
            return None
        if permission is NUMBERS:
            return numbers_refusal(self.services, what)
        if permission is SPEND:
            return spend_refusal(self.services)
        if permission is PROFILES:
            return profiles_refusal(self.services, what)
        return routing_refusal(self.services, what)


def number_managers(services: Services) -> list[str]:
    settings = services.settings
    return sorted(settings.resourcebot_number_managers or settings.resourcebot_admins)


def routing_managers(services: Services) -> list[str]:
    settings = services.settings
    return sorted(settings.resourcebot_routing_managers or settings.resourcebot_admins)


def profile_managers(services: Services) -> list[str]:
    settings = services.settings
    return sorted(settings.resourcebot_profile_managers or settings.resourcebot_admins)


def managers_text(managers: list[str], *, nobody: str) -> str:
    """The first five managers as mentions (" and others" beyond), or `nobody` when there are none."""
    if not managers:
        return nobody
    return ", ".join(f"<@{escape(m)}>" for m in managers[:5]) + (" and others" if len(managers) > 5 else "")


NO_NUMBER_MANAGERS = "nobody is set up as a number manager yet (RESOURCEBOT_NUMBER_MANAGERS or RESOURCEBOT_ADMINS)"
NO_ROUTING_MANAGERS = "none are configured yet (RESOURCEBOT_ROUTING_MANAGERS or RESOURCEBOT_ADMINS)"


def numbers_refusal(services: Services, what: str) -> str:
    """Why someone who is not a number manager can't `what` (buy or cancel numbers), and whom to ask."""
    who = managers_text(number_managers(services), nobody=NO_NUMBER_MANAGERS)
    return (
        f"Only number managers can {what}: {who}. "
        "You can still browse; ask one of them, or request numbers for Infobip's review "
        "with `/resource number &lt;country&gt;`."
    )


def spend_refusal(services: Services) -> str:
    """Why someone who is neither an admin nor a number manager can't see what numbers cost."""
    settings = services.settings
    allowed = sorted(settings.resourcebot_admins | set(number_managers(services)))
    nobody = "nobody is set up as either yet (RESOURCEBOT_ADMINS, RESOURCEBOT_NUMBER_MANAGERS)"
    who = managers_text(allowed, nobody=nobody)
    return (
        f"Only admins and number managers can see what the account's numbers cost: {who}. "
        "Ask one of them; nothing was read."
    )


def routing_refusal(services: Services, what: str) -> str:
    """Why someone who is not a routing manager can't `what`, and whom to ask."""
    managers = routing_managers(services)
    who = f"ask {managers_text(managers, nobody='')}" if managers else NO_ROUTING_MANAGERS
    return f"Only routing managers can {what}: {who}. Anyone can look; nothing was changed."


NO_PROFILE_MANAGERS = "nobody is set up as a profile manager yet (RESOURCEBOT_PROFILE_MANAGERS or RESOURCEBOT_ADMINS)"


def profiles_refusal(services: Services, what: str) -> str:
    """Why someone who is not a profile manager can't `what` (create, change, delete profiles), and whom to ask."""
    managers = profile_managers(services)
    who = f"ask {managers_text(managers, nobody='')}" if managers else NO_PROFILE_MANAGERS
    return f"Only profile managers can {what}: {who}. Anyone can use a profile in a request form; nothing was changed."
