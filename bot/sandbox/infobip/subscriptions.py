"""Sandbox part: webhook subscriptions, profiles, security settings and certificates."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.routing import BaseRoute

if TYPE_CHECKING:
    from bot.sandbox.infobip.sandbox import InfobipSandbox


class SubscriptionsPart:
    def __init__(self, sandbox: "InfobipSandbox") -> None:
        self.sandbox = sandbox

    def routes(self) -> list[BaseRoute]:
        return []

    def admin_routes(self) -> list[BaseRoute]:
        return []

    async def run(self) -> None:
        return None
